import type { Database, Statement } from 'better-sqlite3';
import { ListingCursorError } from './errors.js';
import type { ListingCursor, ListingPageInput, ListingRow, StorePageResult } from './listing-types.js';
import type { SessionStore } from './session-store.js';
import { isoTimestamp, type Clock } from './timestamp.js';

interface CursorRecord {
  list: string;
  page_number: number;
  page_url: string | null;
  next_url: string | null;
  page_size: number | null;
  rows_seen: number;
  pages_stored: number;
  rows_inserted: number;
  rows_updated: number;
  rows_unchanged: number;
  rows_without_barcode: number;
  started_at: string;
  updated_at: string;
  completed_at: string | null;
  total_rows_last_walk: number | null;
}

const CURSOR_COLUMNS = [
  'list', 'page_number', 'page_url', 'next_url', 'page_size', 'rows_seen', 'pages_stored',
  'rows_inserted', 'rows_updated', 'rows_unchanged', 'rows_without_barcode', 'started_at',
  'updated_at', 'completed_at', 'total_rows_last_walk',
] as const;

const INSERT_BOOK_SQL = `INSERT INTO books (barcode, title, scanned_date, analyzed_date, converted_date,
  downloaded_date, processed_date, ocr_date, google_books_link, grin_state, created_at, updated_at)
  VALUES (?, NULLIF(?, ''), NULLIF(?, ''), NULLIF(?, ''), NULLIF(?, ''), NULLIF(?, ''), NULLIF(?, ''),
  NULLIF(?, ''), NULLIF(?, ''), NULLIF(?, ''), ?, ?)
  ON CONFLICT (barcode) DO NOTHING`;

/** GRIN fields a refresh may update: column -> named parameter. */
const REFRESH_FIELDS = [
  ['title', 'title'],
  ['scanned_date', 'scanned'],
  ['analyzed_date', 'analyzed'],
  ['converted_date', 'converted'],
  ['downloaded_date', 'downloaded'],
  ['processed_date', 'processed'],
  ['ocr_date', 'ocr'],
  ['google_books_link', 'link'],
  ['grin_state', 'state'],
] as const;

// A value is only ever replaced by a non-empty, different one; the WHERE clause makes an
// identical row a no-op (changes = 0), which is how "unchanged" is counted and updated_at kept.
const REFRESH_BOOK_SQL = `UPDATE books SET
  ${REFRESH_FIELDS.map(([c, p]) => `${c} = COALESCE(NULLIF(@${p}, ''), ${c})`).join(',\n  ')},
  updated_at = @now
  WHERE barcode = @barcode AND (
  ${REFRESH_FIELDS.map(([c, p]) => `(NULLIF(@${p}, '') IS NOT NULL AND @${p} IS NOT ${c})`).join('\n  OR ')})`;

/** Listing pages and the pagination cursor: the collector's hot path. */
export class ListingStore {
  private readonly insertBook: Statement;
  private readonly refreshBook: Statement;
  private readonly selectCursor: Statement;
  private readonly upsertCursor: Statement;
  private readonly storeTx: (page: ListingPageInput) => StorePageResult;

  constructor(
    db: Database,
    private readonly now: Clock,
    private readonly sessions: SessionStore,
  ) {
    this.insertBook = db.prepare(INSERT_BOOK_SQL);
    this.refreshBook = db.prepare(REFRESH_BOOK_SQL);
    this.selectCursor = db.prepare('SELECT * FROM listing_cursor WHERE list = ?');
    this.upsertCursor = db.prepare(
      `INSERT INTO listing_cursor (${CURSOR_COLUMNS.join(', ')})
       VALUES (${CURSOR_COLUMNS.map((c) => `@${c}`).join(', ')})
       ON CONFLICT (list) DO UPDATE SET
       ${CURSOR_COLUMNS.filter((c) => c !== 'list').map((c) => `${c} = excluded.${c}`).join(', ')}`,
    );
    this.storeTx = db.transaction((page: ListingPageInput) => this.storeInTransaction(page));
  }

  /** Stores a page's rows and advances the cursor in ONE transaction (see `ListingPageInput`). */
  storeListingPage(page: ListingPageInput): StorePageResult {
    return this.storeTx(page);
  }

  getListingCursor(list: string): ListingCursor | undefined {
    const record = this.selectCursor.get(list) as CursorRecord | undefined;
    return record && toCursor(record);
  }

  /** Forgets the current walk (next store must be page 1); keeps the last complete walk's total. */
  resetListingCursor(list: string): void {
    const record = this.selectCursor.get(list) as CursorRecord | undefined;
    if (!record) return;
    const ts = isoTimestamp(this.now());
    this.upsertCursor.run({
      ...freshCursor(list, ts),
      total_rows_last_walk: record.total_rows_last_walk,
    });
  }

  /** Marks the current walk complete with `totalRows` as the list's known size. */
  markListingComplete(list: string, totalRows: number): void {
    const ts = isoTimestamp(this.now());
    const record = (this.selectCursor.get(list) as CursorRecord | undefined) ?? freshCursor(list, ts);
    this.upsertCursor.run({
      ...record,
      next_url: null,
      updated_at: ts,
      completed_at: ts,
      total_rows_last_walk: totalRows,
    });
  }

  private storeInTransaction(page: ListingPageInput): StorePageResult {
    const ts = isoTimestamp(this.now());
    const previous = this.selectCursor.get(page.list) as CursorRecord | undefined;
    const { base, samePage } = this.walkBase(page, previous, ts);
    const counts =
      (page.mode ?? 'insert') === 'refresh'
        ? this.refreshRows(page.rows, ts)
        : this.insertRows(page.rows, ts);
    const withoutBarcode = page.rowsWithoutBarcode ?? 0;
    const rowsSeen = base.rows_seen + page.rows.length + withoutBarcode;
    const completed = page.nextUrl === null;
    this.upsertCursor.run({
      ...base,
      page_number: page.pageNumber,
      page_url: page.url,
      next_url: page.nextUrl,
      page_size: page.pageSize,
      rows_seen: rowsSeen,
      // The rest of a page stored in part is the same page, not one more.
      pages_stored: base.pages_stored + (samePage ? 0 : 1),
      rows_inserted: base.rows_inserted + counts.inserted,
      rows_updated: base.rows_updated + counts.updated,
      rows_unchanged: base.rows_unchanged + counts.unchanged,
      rows_without_barcode: base.rows_without_barcode + withoutBarcode,
      updated_at: ts,
      completed_at: completed ? ts : null,
      total_rows_last_walk: completed ? rowsSeen : base.total_rows_last_walk,
    });
    if (page.sessionId !== undefined) {
      this.sessions.addCounts(page.sessionId, {
        pages: 1,
        rowsSeen: page.rows.length + withoutBarcode,
        inserted: counts.inserted,
        updated: counts.updated,
        unchanged: counts.unchanged,
        withoutBarcode,
      });
    }
    return counts;
  }

  /**
   * The cursor state this page builds on: a fresh walk for page 1, else the unfinished walk, whose
   * last page must be the one before, or this very page when it was stored in part (`--limit`
   * stopped inside it, so the cursor was kept on it: next_url = page_url). `samePage` says which.
   */
  private walkBase(page: ListingPageInput, previous: CursorRecord | undefined, ts: string): { base: CursorRecord; samePage: boolean } {
    if (!Number.isInteger(page.pageNumber) || page.pageNumber < 1) {
      throw new ListingCursorError(`page number must be an integer >= 1, got ${page.pageNumber}`);
    }
    const keptOnPage =
      previous !== undefined && previous.completed_at === null && previous.next_url !== null && previous.next_url === previous.page_url;
    if (keptOnPage && previous.page_number === page.pageNumber) return { base: previous, samePage: true };
    if (page.pageNumber === 1) {
      return { base: { ...freshCursor(page.list, ts), total_rows_last_walk: previous?.total_rows_last_walk ?? null }, samePage: false };
    }
    if (!previous || previous.completed_at !== null || previous.page_number !== page.pageNumber - 1) {
      const state = !previous
        ? 'no cursor'
        : previous.completed_at !== null
          ? `a completed walk (last page ${previous.page_number})`
          : `last stored page ${previous.page_number}`;
      throw new ListingCursorError(
        `cannot store page ${page.pageNumber} of ${page.list}: the cursor has ${state}`,
      );
    }
    return { base: previous, samePage: false };
  }

  /** Inserts a row unless its barcode is known; 1 if inserted, else 0. */
  private insertRow(r: ListingRow, ts: string): number {
    return this.insertBook.run(
      r.barcode, r.title, r.scannedDate, r.analyzedDate, r.convertedDate, r.downloadedDate,
      r.processedDate, r.ocrDate, r.googleBooksLink, r.grinState, ts, ts,
    ).changes;
  }

  private insertRows(rows: readonly ListingRow[], ts: string): StorePageResult {
    let inserted = 0;
    for (const r of rows) inserted += this.insertRow(r, ts);
    return { inserted, updated: 0, unchanged: rows.length - inserted };
  }

  private refreshRows(rows: readonly ListingRow[], ts: string): StorePageResult {
    let inserted = 0;
    let updated = 0;
    for (const r of rows) {
      const added = this.insertRow(r, ts);
      if (added > 0) {
        inserted += added;
        continue;
      }
      updated += this.refreshBook.run({
        barcode: r.barcode,
        title: r.title,
        scanned: r.scannedDate,
        analyzed: r.analyzedDate,
        converted: r.convertedDate,
        downloaded: r.downloadedDate,
        processed: r.processedDate,
        ocr: r.ocrDate,
        link: r.googleBooksLink,
        state: r.grinState,
        now: ts,
      }).changes;
    }
    return { inserted, updated, unchanged: rows.length - inserted - updated };
  }
}

function freshCursor(list: string, ts: string): CursorRecord {
  return {
    list,
    page_number: 0,
    page_url: null,
    next_url: null,
    page_size: null,
    rows_seen: 0,
    pages_stored: 0,
    rows_inserted: 0,
    rows_updated: 0,
    rows_unchanged: 0,
    rows_without_barcode: 0,
    started_at: ts,
    updated_at: ts,
    completed_at: null,
    total_rows_last_walk: null,
  };
}

function toCursor(r: CursorRecord): ListingCursor {
  return {
    list: r.list,
    pageNumber: r.page_number,
    pageUrl: r.page_url,
    nextUrl: r.next_url,
    pageSize: r.page_size,
    rowsSeen: r.rows_seen,
    pagesStored: r.pages_stored,
    rowsInserted: r.rows_inserted,
    rowsUpdated: r.rows_updated,
    rowsUnchanged: r.rows_unchanged,
    rowsWithoutBarcode: r.rows_without_barcode,
    startedAt: r.started_at,
    updatedAt: r.updated_at,
    completedAt: r.completed_at,
    totalRowsLastWalk: r.total_rows_last_walk,
  };
}
