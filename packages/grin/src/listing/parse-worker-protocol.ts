import type { ParsedListing } from './listing-parser.js';

/** Messages from the main thread to the listing worker. */
export type ToParseWorker =
  /** Byte-forwarding mode: the main thread reads the body and sends it in chunks. */
  | { t: 'start'; id: number }
  | { t: 'chunk'; id: number; buf: ArrayBuffer }
  | { t: 'end'; id: number }
  /** Fetch mode: the worker performs the request itself and parses a 2xx body. */
  | { t: 'fetch'; id: number; request: WorkerFetchRequest }
  | { t: 'abort'; id: number };

export interface WorkerFetchRequest {
  origin: string;
  path: string;
  headers: Record<string, string>;
  idleTimeoutMs: number;
  connectTimeoutMs: number;
  /** Connections of the worker's keep-alive agent for this origin. */
  connections: number;
}

/** Messages from the listing worker to the main thread. */
export type FromParseWorker =
  /** Fetch mode: status and headers; a non-2xx body is dropped by the worker (then `closed`). */
  | { t: 'head'; id: number; status: number; headers: Record<string, string | string[] | undefined> }
  | { t: 'closed'; id: number }
  /**
   * Rows travel packed into one string (packListingRows: a flat string is the cheapest thing to
   * copy between threads), in batches while the page is parsed so that the main thread's share
   * overlaps with parsing instead of adding to the page's latency.
   */
  | { t: 'rows'; id: number; packed: string }
  /** The end of the page: the rows not sent before, and the rest of the ParsedListing. */
  | { t: 'done'; id: number; packed: string; page: Omit<ParsedListing, 'rows'> }
  /** `code`: the network error code (undici/errno), or PARSE_ERROR for a parser failure. */
  | { t: 'error'; id: number; message: string; code: string | undefined };

export const PARSE_ERROR = 'GRIN_PARSE_ERROR';
