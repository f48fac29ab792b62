import type { ConversionDetails, ConversionStatus, StatusBatchWriter } from '@grin/books';
import type { FailedConversion } from '@grin/client';

/** GRIN's conversion queue never holds more than this many books (reference 1.8). */
export const GRIN_QUEUE_LIMIT = 50_000;

/** The catalogue event the conversion side records (the @grin/books batched status writer). */
export type ConversionEvents = Pick<StatusBatchWriter, 'conversion'>;

/**
 * How a conversion request for one volume ended in this run (one counter each):
 * - requested: GRIN accepted it (`Success`); `processing_request_timestamp` is set;
 * - already_in_process: GRIN said so, or the barcode is on the `_in_process` list read at start;
 * - already_available: GRIN said the archive is already available for download;
 * - unavailable: GRIN cannot convert it (verified unavailable; never selected again);
 * - limit_reached: not requested because GRIN's queue is full (local count, or a 429 earlier in
 *   the run); deferred to a later run, not a failure;
 * - failed: the request failed (network, server error, GRIN's answer did not mention the barcode);
 * - conversion_failed: on GRIN's `_failed` list, not requested (use force to request it again);
 * - already_requested: requested by an earlier run (`processing_request_timestamp` set);
 * - aborted: still waiting to be sent when the run was stopped hard; nothing recorded.
 */
export type ConversionResultKind =
  | 'requested'
  | 'already_in_process'
  | 'already_available'
  | 'unavailable'
  | 'limit_reached'
  | 'failed'
  | 'conversion_failed'
  | 'already_requested'
  | 'aborted';

export const CONVERSION_RESULT_KINDS: readonly ConversionResultKind[] = [
  'requested',
  'already_in_process',
  'already_available',
  'unavailable',
  'limit_reached',
  'failed',
  'conversion_failed',
  'already_requested',
  'aborted',
];

/** Counters by result kind (all keys present). */
export type ConversionCounts = Record<ConversionResultKind, number>;

/** The outcome of one volume's conversion request, as recorded. */
export interface ConversionRecord {
  barcode: string;
  kind: ConversionResultKind;
  /** The `conversion` history value written (null: nothing written — `aborted`, `duplicate_in_run`). */
  status: ConversionStatus | null;
  /**
   * Machine reason stored in the history metadata: `success_conversion_requested`,
   * `skip_already_available`, `skip_already_in_process`, `skip_listed_in_process`,
   * `skip_verified_unavailable`, `grin_queue_full` (this request got the 429),
   * `queue_full_earlier_in_run`, `queue_cap_reached`, `request_failed`, `missing_from_response`,
   * `on_grin_failed_list`, `skip_already_requested`, `aborted`; `duplicate_in_run` for a repeat
   * request of a barcode already handled in this run (nothing recorded).
   */
  reason: string;
  /** GRIN's status text for this barcode, when GRIN answered. */
  grinResponse?: string;
  /** Error text (`code: message`) for `failed`. */
  error?: string;
  /** GRIN's `_failed` entry, for `conversion_failed`. */
  failure?: Pick<FailedConversion, 'failedDate' | 'info' | 'detailedInfo'>;
}

/** What GRIN's lists said at the start of the run. */
export interface GrinConversionState {
  /** Barcodes on GRIN's `_in_process` list. */
  inProcess: ReadonlySet<string>;
  /** GRIN's failed conversions by barcode (`_failed`). */
  failed: ReadonlyMap<string, FailedConversion>;
  /**
   * Why `_failed` could not be read (then `failed` is empty and failed conversions may be
   * requested again this run; GRIN answers them "not available"). Null when it was read.
   */
  failedListError: Error | null;
}

/** GRIN's queue as this run sees it, for the "GRIN queue: X in process, Y available" line. */
export interface ConversionQueueState {
  limit: number;
  /** Size of `_in_process` at start. */
  inProcessAtStart: number;
  /** Conversions GRIN accepted in this run. */
  requestedThisRun: number;
  /** limit - inProcessAtStart - requestedThisRun (0 when full). */
  available: number;
  /** Why no more requests are sent: the local count reached the limit, or GRIN answered 429. */
  full: 'cap' | 'grin' | null;
}

/** The `conversion` history value and details of a record. */
export function historyDetails(record: ConversionRecord): ConversionDetails {
  return {
    reason: record.reason,
    ...(record.grinResponse === undefined ? {} : { grinResponse: record.grinResponse }),
    ...(record.error === undefined ? {} : { error: record.error }),
    ...(record.failure === undefined
      ? {}
      : { failedDate: record.failure.failedDate, failedInfo: record.failure.info, detailedFailedInfo: record.failure.detailedInfo }),
  };
}

/** Zeroed counters. */
export function emptyConversionCounts(): ConversionCounts {
  const counts = {} as ConversionCounts;
  for (const kind of CONVERSION_RESULT_KINDS) counts[kind] = 0;
  return counts;
}

/**
 * Session counter keys for the process summary: `conversion:<kind>` (the `kind:reason` form the
 * pipeline uses for its other reasons), zero counters left out.
 */
export function conversionSessionCounts(counts: ConversionCounts): Record<string, number> {
  const out: Record<string, number> = {};
  for (const kind of CONVERSION_RESULT_KINDS) if (counts[kind] > 0) out[`conversion:${kind}`] = counts[kind];
  return out;
}
