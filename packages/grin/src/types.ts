import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { TokenProvider } from './auth/token-provider.js';

/** Where listing pages are parsed: on the calling thread, or in a shared worker thread. */
export type ParseLocation = 'main' | 'worker';

/** Options of {@link createGrinClient}. */
export interface GrinClientOptions {
  /** GRIN library directory, e.g. `Harvard`. Case-sensitive, `[A-Za-z0-9_-]+`. */
  libraryDirectory: string;
  /** Default `https://books.google.com/libraries/`. */
  baseUrl?: string;
  /** Default: env `GRIN_CREDENTIALS_DIR`, else `~/.config/grin`. */
  credentialsDir?: string;
  /** Default: OAuth2 refresh-token provider reading the files in `credentialsDir`. */
  tokenProvider?: TokenProvider;
  /** Concurrent requests per host. Default 5. */
  concurrency?: number;
  /** Request rate limit (token bucket). Default 5 requests/s. */
  requestsPerSecond?: number;
  /** Token-bucket capacity (requests that may start at once after an idle period). Default = requestsPerSecond. */
  rateBurst?: number;
  /** TCP/TLS connect timeout. Default 10 s. */
  connectTimeoutMs?: number;
  /** Stall timeout: waiting for headers, or between two body chunks. Default 60 s. */
  idleTimeoutMs?: number;
  /** Retries for network errors, 429, 5xx and "unavailable" pages. */
  retry?: RetryOptions;
  /** Where listing pages are parsed. Default `'worker'` (see the package README / bench). */
  parseIn?: ParseLocation;
  /** Epoch milliseconds. Default `Date.now`. */
  clock?: () => number;
  /** Default: a timer-based sleep that rejects when `signal` aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Default `Math.random` (jitter only). */
  random?: () => number;
  /** Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Diagnostics for the apps' logs (never contains secrets). */
  onEvent?: (event: ClientEvent) => void;
  /** Injectable undici dispatcher used for every request instead of the per-host agents. */
  dispatcher?: Dispatcher;
}

export interface RetryOptions {
  /** Total attempts including the first. Default 6. */
  attempts?: number;
  /** Base of the exponential backoff. Default 2000 ms. */
  baseDelayMs?: number;
  /** Cap of one backoff delay (not of Retry-After). Default 60 s. */
  maxDelayMs?: number;
}

/** Events for logs/diagnostics. URLs carry no secrets (the bearer token travels in a header). */
export type ClientEvent =
  | {
      type: 'retry';
      url: string;
      /** The attempt that failed (1-based). */
      attempt: number;
      delayMs: number;
      code: string;
      message: string;
      status?: number;
    }
  | { type: 'throttled'; url: string; status: number; retryAfterMs: number | null }
  | { type: 'token-refresh'; reason: TokenRefreshReason }
  | { type: 'redirect'; from: string; to: string }
  | { type: 'credentials-write-failed'; message: string };

export type TokenRefreshReason = 'expiry' | 'unauthorized' | 'login-redirect' | 'missing';

/** One listing page as parsed. */
export interface ListingPage {
  pageNumber: number;
  url: string;
  rows: ListingRow[];
  /** Data rows of the listing table that carried no barcode (dropped). */
  rowsWithoutBarcode: number;
  /** Absolute URL of the next page, or null on the last page. */
  nextUrl: string | null;
}

/**
 * A listing page with its rows packed for handing to another thread: `packedRows` are strings of
 * `packListingRows` (at most a few hundred rows each, in page order); `unpackListingRows` turns
 * each back into rows. One flat string crosses a thread boundary far cheaper than row objects.
 */
export interface PackedListingPage extends Omit<ListingPage, 'rows'> {
  packedRows: string[];
  rowCount: number;
}

/** One book row of a listing page, mapped per reference 1.5. Dates are naive ISO `YYYY-MM-DDTHH:MM:00`. */
export interface ListingRow {
  barcode: string;
  title: string;
  grinState: string | null;
  scannedDate: string | null;
  analyzedDate: string | null;
  convertedDate: string | null;
  downloadedDate: string | null;
  processedDate: string | null;
  ocrDate: string | null;
  googleBooksLink: string;
  /** Other non-empty columns by normalised header key, e.g. `convert_failed_info`. */
  extra: Record<string, string>;
}

export interface ListPagesOptions {
  /** `result_count`; default 10,000 (`-1` = everything on one page). */
  pageSize?: number;
  /** Resume from a saved `nextUrl` instead of page 1. */
  startUrl?: string;
  /** Page number given to the first page fetched (when resuming). Default 1. */
  startPageNumber?: number;
  /** Overrides the client's `parseIn`. */
  parseIn?: ParseLocation;
  signal?: AbortSignal;
}

export interface SignalOptions {
  signal?: AbortSignal;
}

/** A row of GRIN's `_failed` list. */
export interface FailedConversion {
  barcode: string;
  /** ISO date when parseable, else the raw text; null when empty. */
  failedDate: string | null;
  info: string | null;
  detailedInfo: string | null;
  /** Remaining columns (HTML source only). */
  extra: Record<string, string>;
}

export interface FailedListOptions extends SignalOptions {
  /** Default `'html'` (`_failed?result_count=-1`); `'text'` reads `_failed?format=text`. */
  source?: 'html' | 'text';
}

/** Reference 1.8 classification of a `_process` answer. `missing`: GRIN did not mention the barcode. */
export type ConversionOutcome = 'requested' | 'already_available' | 'already_in_process' | 'unavailable' | 'missing';

export interface ConversionResult {
  barcode: string;
  /** GRIN's raw status text. */
  status: string;
  outcome: ConversionOutcome;
}

export interface RequestConversionOptions extends SignalOptions {
  /** Barcodes per `_process` request (comma-separated). Default 200. */
  batchSize?: number;
}

export interface BarcodeSearchOptions extends SignalOptions {
  /** Batches in flight at once. Default: the client's per-host concurrency. */
  concurrency?: number;
  /** Maximum URL length of one batch. Default 7,500. */
  maxUrlLength?: number;
}

/** One `_barcode_search` line. */
export interface EnrichmentRecord {
  barcode: string;
  /** Raw values by GRIN header name (short lines padded with ''). */
  values: Record<string, string>;
  /** Known columns mapped to catalogue column names; '' -> null; dates converted to ISO. */
  columns: Partial<Record<EnrichmentColumn, string | null>>;
}

export type EnrichmentColumn =
  | 'scanned_date'
  | 'converted_date'
  | 'downloaded_date'
  | 'processed_date'
  | 'analyzed_date'
  | 'ocr_date'
  | 'grin_state'
  | 'grin_viewability'
  | 'grin_opted_out'
  | 'grin_conditions'
  | 'grin_scannable'
  | 'grin_tagging'
  | 'grin_audit'
  | 'grin_material_error_percent'
  | 'grin_overall_error_percent'
  | 'grin_claimed'
  | 'grin_ocr_analysis_score'
  | 'grin_ocr_gtd_score'
  | 'grin_digitization_method'
  | 'grin_check_in_date'
  | 'grin_source_library_bibkey'
  | 'grin_rubbish'
  | 'grin_allow_download_updated_date'
  | 'grin_viewability_updated_date';

export interface ArchiveInfo {
  /** ETag without surrounding quotes. */
  etag: string;
  /** Content-Length, or null when absent. */
  size: number | null;
}

export interface DownloadOptions extends SignalOptions {
  /** Called with the size of every chunk as it passes (for progress). */
  onBytes?: (n: number) => void;
  /** If given (e.g. from headArchive), a different Content-Length fails the download. */
  expectedSize?: number;
}

export interface ArchiveDownload extends ArchiveInfo {
  /** The encrypted bytes. Errors if the byte count differs from Content-Length or it stalls. */
  body: Readable;
}

/** The GRIN client. */
export interface GrinClient {
  /** `{baseUrl}{libraryDirectory}/`. */
  readonly libraryUrl: string;
  /** Credential check (reference 2 "Validation probe"): resolves when GRIN accepts our token. */
  probe(signal?: AbortSignal): Promise<void>;
  /** Pages of an HTML listing (`_all_books`, `_converted`, `_failed`, ...), one page prefetched. */
  listPages(list: string, opts?: ListPagesOptions): AsyncIterable<ListingPage>;
  /** {@link listPages} with packed rows, for a client running in a worker thread. */
  listPackedPages(list: string, opts?: ListPagesOptions): AsyncIterable<PackedListingPage>;
  /** Barcodes of a `?format=text` list, streamed line by line (`.tar.gz.gpg` stripped). */
  textList(list: string, opts?: SignalOptions): AsyncIterable<string>;
  /** GRIN's failed conversions. */
  failedList(opts?: FailedListOptions): AsyncIterable<FailedConversion>;
  /** Requests conversions; 429 -> {@link QueueFullError} (never retried). */
  requestConversion(barcodes: string[], opts?: RequestConversionOptions): Promise<ConversionResult[]>;
  /** `_barcode_search` enrichment, batched so each URL stays <= 7,500 characters. */
  barcodeSearch(barcodes: Iterable<string>, opts?: BarcodeSearchOptions): AsyncIterable<EnrichmentRecord>;
  /** HEAD of an archive; {@link NotFoundError} on 404. */
  headArchive(barcode: string, opts?: SignalOptions): Promise<ArchiveInfo>;
  /** GET of an archive as a stream; requires an ETag. */
  downloadArchive(barcode: string, opts?: DownloadOptions): Promise<ArchiveDownload>;
  /** Closes connections and the parser worker. */
  close(): Promise<void>;
}
