/** One listing row as mapped by the collector (reference 1.5). Dates are ISO strings or null. */
export interface ListingRow {
  barcode: string;
  title: string | null;
  grinState: string | null;
  scannedDate: string | null;
  analyzedDate: string | null;
  convertedDate: string | null;
  downloadedDate: string | null;
  processedDate: string | null;
  ocrDate: string | null;
  googleBooksLink: string | null;
}

/**
 * `insert`: new barcodes are inserted, existing rows are left exactly as they are.
 * `refresh`: new barcodes are inserted; existing rows get their GRIN fields (title, the six
 * dates, link, grin_state) replaced where the listing has a non-empty value. Nothing else is
 * touched (sync, enrichment, MARC, processing_request_timestamp).
 */
export type ListingMode = 'insert' | 'refresh';

/** One listing page to store atomically together with the cursor advance. */
export interface ListingPageInput {
  /** Listing name, e.g. `_all_books`. The cursor is kept per list. */
  list: string;
  /**
   * 1-based page number. Page 1 always (re)starts a walk of the list; page n > 1 must directly
   * follow the cursor's last stored page of an unfinished walk, otherwise `ListingCursorError`.
   */
  pageNumber: number;
  /** URL this page was fetched from (diagnostics only). */
  url: string | null;
  /** URL of the next page; `null` means this was the last page and completes the walk. */
  nextUrl: string | null;
  pageSize: number;
  rows: readonly ListingRow[];
  /** Rows of this page the collector dropped because they had no barcode (counted, reported). */
  rowsWithoutBarcode?: number | undefined;
  mode?: ListingMode | undefined;
  /** When given, this page's counts are added to the session's `counts` in the same transaction. */
  sessionId?: number | undefined;
}

export interface StorePageResult {
  inserted: number;
  updated: number;
  unchanged: number;
}

/** The resumable pagination state of one list (one row of `listing_cursor`). */
export interface ListingCursor {
  list: string;
  /** Last page stored in the current walk (0 = none yet). */
  pageNumber: number;
  /** URL of the last page stored. */
  pageUrl: string | null;
  /** Where to resume: the next page's URL; null when the walk completed (or nothing stored yet). */
  nextUrl: string | null;
  pageSize: number | null;
  /** Rows seen in this walk, including rows without a barcode. */
  rowsSeen: number;
  pagesStored: number;
  rowsInserted: number;
  rowsUpdated: number;
  rowsUnchanged: number;
  rowsWithoutBarcode: number;
  startedAt: string;
  updatedAt: string;
  /** Set when the walk reached the last page (or `markListingComplete`). */
  completedAt: string | null;
  /** Rows seen by the last complete walk: a total estimate for the next one. */
  totalRowsLastWalk: number | null;
}

/** Session `counts` keys maintained by `storeListingPage` when a `sessionId` is given. */
export const LISTING_SESSION_COUNT_KEYS = ['pages', 'rowsSeen', 'inserted', 'updated', 'unchanged', 'withoutBarcode'] as const;
