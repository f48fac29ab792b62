import type { GrinClient } from '@grin/client';
import type { ConversionEvents, GrinConversionState } from './conversion-types.js';

/** Timer functions, injected so tests control the batching delay. */
export interface ConversionTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface ConversionRequesterOptions {
  client: Pick<GrinClient, 'requestConversion'>;
  /** Where outcomes are recorded: the run's @grin/books status writer. */
  events: ConversionEvents;
  /** `_in_process` and `_failed` as read at the start of the run (`loadConversionState`). */
  state: GrinConversionState;
  /**
   * Whether an earlier run already requested the barcode (its `processing_request_timestamp` is
   * set), e.g. `(b) => Boolean(catalogue.getBook(b)?.processing_request_timestamp)`. Such barcodes
   * are not requested again unless `force`. Default: never.
   */
  requestedBefore?: (barcode: string) => boolean;
  /** Request barcodes on GRIN's `_failed` list and barcodes requested by earlier runs. */
  force?: boolean;
  /** GRIN's queue limit. Default 50,000. */
  queueLimit?: number;
  /** Books in GRIN's queue at start; default `state.inProcess.size`. */
  inProcessCount?: number;
  /** Barcodes per `_process` call. Default 200 (the earlier batch tool's size). */
  batchSize?: number;
  /**
   * How long a barcode may wait for others to share its `_process` call (a full batch is sent at
   * once). Bounds the conversion calls to one per `lingerMs` so they take little of GRIN's request
   * budget, which the checks and downloads share. Default 2000 ms.
   */
  lingerMs?: number;
  timers?: ConversionTimers;
  /** Hard stop: barcodes still waiting are settled as `aborted` (nothing recorded), calls cancelled. */
  signal?: AbortSignal;
  log?: (line: string) => void;
}

/** Real timers (the default). */
export const defaultTimers: ConversionTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
