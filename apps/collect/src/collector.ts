import { setImmediate } from 'node:timers/promises';
import type { Catalogue, ListingMode, StorePageResult } from '@grin/books';
import { CursorRejectedError, GrinError, type GrinClient, type ListingPage, type ListingRow } from '@grin/client';
import { CursorRestartLimitError } from './errors.js';
import { clearPartialPage, writePartialPage, type PartialPage } from './partial-page.js';

/** One page after its transaction committed. */
export interface StoredPage {
  pageNumber: number;
  url: string;
  /** Rows stored by this transaction. */
  rows: number;
  rowsWithoutBarcode: number;
  /** Rows with an empty title although their state is not NOT_AVAILABLE_FOR_DOWNLOAD. */
  untitled: number;
  firstBarcode: string | null;
  lastBarcode: string | null;
  result: StorePageResult;
  /** Stored only in part because the limit was reached inside it. */
  partial: boolean;
  /** The listing's last page: the walk is complete. */
  last: boolean;
}

export interface CollectListingOptions {
  catalogue: Catalogue;
  client: Pick<GrinClient, 'listPages'>;
  list: string;
  pageSize: number;
  mode: ListingMode;
  sessionId: number;
  /** Rows to store in this session at most; null = all. */
  limit: number | null;
  /** null = page 1. */
  startUrl: string | null;
  startPageNumber: number;
  /** Rows of the first page already stored by an earlier `--limit` session. */
  skip: PartialPage | null;
  /** Aborted = finish the page in hand and stop (first Ctrl-C). */
  signal: AbortSignal;
  /** Called after each commit (progress, mirror file); awaited before the next page is taken. */
  onPage: (page: StoredPage) => Promise<void>;
  onNotice: (message: string) => void;
  /** Restarts from page 1 after GRIN rejected a cursor (default 3). */
  maxCursorRestarts?: number;
}

export interface CollectListingResult {
  outcome: 'completed' | 'interrupted' | 'limit';
  pages: number;
  rowsStored: number;
  cursorRestarts: number;
}

/**
 * The collect stage: walks the listing with the client (which keeps the next page in flight
 * while this one is stored) and stores every page in ONE transaction together with the cursor,
 * so a crash between two pages loses nothing and repeats nothing. A rejected cursor restarts the
 * walk from page 1 (idempotent: stored rows are inserted-or-kept).
 */
export async function collectListing(options: CollectListingOptions): Promise<CollectListingResult> {
  const { catalogue, list, signal } = options;
  const maxRestarts = options.maxCursorRestarts ?? 3;
  let startUrl = options.startUrl;
  let startPageNumber = options.startPageNumber;
  let skip = options.skip;
  let pages = 0;
  let rowsStored = 0;
  let cursorRestarts = 0;

  for (;;) {
    try {
      const iterator = options.client.listPages(list, {
        pageSize: options.pageSize,
        signal,
        startPageNumber,
        ...(startUrl === null ? {} : { startUrl }),
      });
      for await (const page of iterator) {
        let rows: readonly ListingRow[] = page.rows;
        if (skip !== null && page.pageNumber === startPageNumber) {
          rows = skipStoredRows(rows, skip, options.onNotice);
          skip = null;
        }
        // Let the client's prefetch request leave before the synchronous transaction blocks the
        // event loop (with the client on this thread; harmless with the listing thread).
        await setImmediate();
        const room = options.limit === null ? Infinity : options.limit - rowsStored;
        const partial = rows.length > room;
        if (partial) rows = rows.slice(0, room);
        const stored = storePage(options, page, rows, partial);
        pages += 1;
        rowsStored += rows.length;
        await options.onPage(stored);
        if (stored.last) return { outcome: 'completed', pages, rowsStored, cursorRestarts };
        if (rowsStored >= (options.limit ?? Infinity)) return { outcome: 'limit', pages, rowsStored, cursorRestarts };
        if (signal.aborted) return { outcome: 'interrupted', pages, rowsStored, cursorRestarts };
      }
      // The client ends after a page without Next link, which returned above; an empty
      // iteration can only follow an abort.
      return { outcome: signal.aborted ? 'interrupted' : 'completed', pages, rowsStored, cursorRestarts };
    } catch (error) {
      if (signal.aborted && !(error instanceof GrinError)) return { outcome: 'interrupted', pages, rowsStored, cursorRestarts };
      if (!(error instanceof CursorRejectedError)) throw error;
      if (cursorRestarts >= maxRestarts) throw new CursorRestartLimitError(list, cursorRestarts, { cause: error });
      cursorRestarts += 1;
      options.onNotice(
        `GRIN rejected the saved pagination link (${error.message}); starting ${list} again from page 1. ` +
          'Rows already stored are kept; this is safe to repeat.',
      );
      catalogue.resetListingCursor(list);
      clearPartialPage(catalogue, list);
      startUrl = null;
      startPageNumber = 1;
      skip = null;
    }
  }
}

/** Stores one page (or its first rows when the limit is reached inside it) with the cursor. */
function storePage(options: CollectListingOptions, page: ListingPage, rows: readonly ListingRow[], partial: boolean): StoredPage {
  const { catalogue, list } = options;
  // A partial page keeps the cursor on itself, so a resume fetches it again.
  const nextUrl = partial ? page.url : page.nextUrl;
  const rowsWithoutBarcode = partial ? 0 : page.rowsWithoutBarcode;
  const result = catalogue.storeListingPage({
    list,
    pageNumber: page.pageNumber,
    url: page.url,
    nextUrl,
    pageSize: options.pageSize,
    rows,
    rowsWithoutBarcode,
    mode: options.mode,
    sessionId: options.sessionId,
  });
  const last = rows[rows.length - 1];
  if (partial && last) {
    writePartialPage(catalogue, { list, pageNumber: page.pageNumber, url: page.url, rows: rows.length, lastBarcode: last.barcode });
  } else {
    clearPartialPage(catalogue, list);
  }
  let untitled = 0;
  for (const row of rows) if (row.title === '' && row.grinState !== 'NOT_AVAILABLE_FOR_DOWNLOAD') untitled += 1;
  return {
    pageNumber: page.pageNumber,
    url: page.url,
    rows: rows.length,
    rowsWithoutBarcode,
    untitled,
    firstBarcode: rows[0]?.barcode ?? null,
    lastBarcode: last?.barcode ?? null,
    result,
    partial,
    last: nextUrl === null,
  };
}

/** Drops the rows an earlier `--limit` session stored from this page, if the page still matches. */
function skipStoredRows(rows: readonly ListingRow[], skip: PartialPage, notice: (m: string) => void): readonly ListingRow[] {
  if (rows[skip.rows - 1]?.barcode === skip.lastBarcode) return rows.slice(skip.rows);
  notice(
    `page ${skip.pageNumber} of ${skip.list} changed since it was partly stored (--limit); storing all its rows ` +
      '(the rows stored before count as unchanged).',
  );
  return rows;
}
