export type FaultKind =
  | 'latency'
  | 'bandwidth'
  | 'status-429'
  | 'status-500'
  | 'status-503'
  | 'reset-mid-body'
  | 'truncate-body'
  | 'wrong-content-length'
  | 'unavailable-page'
  | 'expired-cursor'
  | 'slow-drip';

/** Endpoint classes requests are counted and matched under. `auth` = the authorisation URL. */
export type SimulatorEndpoint =
  | 'listing'
  | 'text-list'
  | 'archive-head'
  | 'archive-get'
  | 'process'
  | 'barcode-search'
  | 'token'
  | 'probe'
  | 'auth';

export interface FaultRule {
  endpoint: SimulatorEndpoint | 'any';
  kind: FaultKind;
  /** Affect at most N matching requests (then the rule is spent); default unlimited. */
  times?: number;
  /** Seeded; default 1. */
  probability?: number;
  /** Let the first N matching requests through untouched. */
  skip?: number;
  /** Retry-After header for 429/503. */
  retryAfterSeconds?: number;
  /** For `latency` (default 1000). */
  latencyMs?: number;
  /** For `bandwidth` (default 64 KiB/s) and `slow-drip` (default 16 KiB/s). */
  bytesPerSecond?: number;
  /** For `slow-drip`: bytes per drip (default 512). */
  chunkBytes?: number;
  /** For `reset-mid-body` / `truncate-body`: bytes sent before the cut (default half the body). */
  afterBytes?: number;
  /** For `wrong-content-length`: announced minus actual length (default -max(1, 10%)). */
  contentLengthDelta?: number;
  match?: { barcode?: string; pageNumber?: number; list?: string };
}
