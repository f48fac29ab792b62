import type { ClientEvent, PackedListingPage, ParseLocation, RetryOptions } from '@grin/client';

/** Client settings that can cross a thread boundary (plain data only). */
export interface ThreadClientSettings {
  libraryDirectory: string;
  baseUrl: string;
  credentialsDir?: string;
  env: Record<string, string | undefined>;
  retry?: RetryOptions;
  parseIn?: ParseLocation;
  requestsPerSecond?: number;
  rateBurst?: number;
  idleTimeoutMs?: number;
  /** Rows per page the walk will ask for (sizes the thread's heap). */
  pageSize?: number;
}

/** A typed client error flattened for postMessage (classes do not survive structured cloning). */
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  hint?: string;
  status?: number;
  url?: string;
  retryAfterMs?: number | null;
  stack?: string;
}

/** `walk` numbers one listPages() call, so late messages of an abandoned walk are recognised. */
export type ToListingThread =
  | { t: 'start'; walk: number; list: string; pageSize: number; startUrl: string | null; startPageNumber: number }
  | { t: 'next'; walk: number }
  | { t: 'stop'; walk: number }
  | { t: 'close' };

export type WalkMessage =
  /** Rows packed (a few flat strings cross threads ~3x cheaper than 10,000 row objects). */
  | { t: 'page'; walk: number; page: PackedListingPage }
  | { t: 'end'; walk: number }
  | { t: 'stopped'; walk: number }
  | { t: 'error'; walk: number; error: SerializedError };

export type FromListingThread =
  | WalkMessage
  | { t: 'ready'; libraryUrl: string }
  | { t: 'init-error'; error: SerializedError }
  | { t: 'event'; event: ClientEvent }
  | { t: 'closed' };

export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const e = error as Error & Partial<Record<'code' | 'hint' | 'url', string>> & { status?: number; retryAfterMs?: number | null };
  return {
    name: e.name,
    message: e.message,
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    ...(typeof e.hint === 'string' ? { hint: e.hint } : {}),
    ...(typeof e.status === 'number' ? { status: e.status } : {}),
    ...(typeof e.url === 'string' ? { url: e.url } : {}),
    ...(e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}),
    ...(e.stack !== undefined ? { stack: e.stack } : {}),
  };
}
