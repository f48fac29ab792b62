import type { Database, Statement } from 'better-sqlite3';
import {
  BOOK_COLUMNS,
  marcColumnValues,
  type BookRow,
  type MarcRecord,
} from './book-columns.js';
import type { ColumnUpdater } from './column-updater.js';
import { isoTimestamp, type Clock } from './timestamp.js';

/** Filter for `countBooks`; all given conditions must hold. */
export interface BookFilter {
  /** Exact GRIN state; `null` matches books without a state. */
  grinState?: string | null | undefined;
  /** Synced (a stored and verified archive is recorded) or not. */
  synced?: boolean | undefined;
  /** Last recorded sync step (`books.sync_status`); `null` = no sync step yet. */
  syncStatus?: string | null | undefined;
}

export interface IterateOptions {
  /** Rows fetched per query (default 1000). The connection is free between batches. */
  batchSize?: number | undefined;
}

export interface EnsureBooksResult {
  /** How many barcodes were not in the catalogue and got a bare row. */
  inserted: number;
  /** The first (up to 10) barcodes inserted, for the "not seen by collect" report. */
  sample: string[];
}

const SELECT_COLUMNS = BOOK_COLUMNS.map((c) => c.name).join(', ');

/**
 * Yields `[rowid, ...books columns in schema order]` by keyset pagination on rowid: no statement
 * stays open between batches, so the caller may write through the same connection while iterating
 * (better-sqlite3 refuses any other statement while an `iterate()` is active).
 */
export function* iterateBookArrays(db: Database, batchSize = 1000): Generator<unknown[]> {
  const stmt = db
    .prepare(`SELECT rowid, ${SELECT_COLUMNS} FROM books WHERE rowid > ? ORDER BY rowid LIMIT ?`)
    .raw();
  let after = 0;
  for (;;) {
    const rows = stmt.all(after, batchSize) as unknown[][];
    for (const row of rows) yield row;
    if (rows.length < batchSize) return;
    after = rows[rows.length - 1]?.[0] as number;
  }
}

/** Reads and small direct writes on `books`. */
export class BookQueries {
  private readonly getStmt: Statement;
  private readonly ensureStmt: Statement;

  constructor(
    private readonly db: Database,
    private readonly now: Clock,
    private readonly updater: ColumnUpdater,
  ) {
    this.getStmt = db.prepare(`SELECT ${SELECT_COLUMNS} FROM books WHERE barcode = ?`);
    this.ensureStmt = db.prepare(
      'INSERT INTO books (barcode, created_at, updated_at) VALUES (?, ?, ?) ON CONFLICT (barcode) DO NOTHING',
    );
  }

  countBooks(filter: BookFilter = {}): number {
    const where: string[] = [];
    const params: (string | null)[] = [];
    if (filter.grinState !== undefined) {
      where.push(filter.grinState === null ? 'grin_state IS NULL' : 'grin_state = ?');
      if (filter.grinState !== null) params.push(filter.grinState);
    }
    if (filter.synced !== undefined) {
      where.push(filter.synced ? 'sync_timestamp IS NOT NULL' : 'sync_timestamp IS NULL');
    }
    if (filter.syncStatus !== undefined) {
      where.push(filter.syncStatus === null ? 'sync_status IS NULL' : 'sync_status = ?');
      if (filter.syncStatus !== null) params.push(filter.syncStatus);
    }
    const sql = `SELECT count(*) FROM books${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`;
    return this.db.prepare(sql).pluck().get(...params) as number;
  }

  getBook(barcode: string): BookRow | undefined {
    return this.getStmt.get(barcode) as BookRow | undefined;
  }

  /** Every book in insertion order, streamed in batches (bounded memory for 10^6 rows). */
  *iterateBooks(options: IterateOptions = {}): Generator<BookRow> {
    for (const row of iterateBookArrays(this.db, options.batchSize)) {
      const book: Record<string, unknown> = {};
      for (let i = 0; i < BOOK_COLUMNS.length; i++) book[BOOK_COLUMNS[i]!.name] = row[i + 1];
      yield book as BookRow;
    }
  }

  /** Inserts bare rows for barcodes the catalogue does not have yet (one transaction per 10,000). */
  ensureBooks(barcodes: Iterable<string>): EnsureBooksResult {
    const result: EnsureBooksResult = { inserted: 0, sample: [] };
    const insertChunk = this.db.transaction((chunk: string[]) => {
      const ts = isoTimestamp(this.now());
      for (const barcode of chunk) {
        if (this.ensureStmt.run(barcode, ts, ts).changes > 0) {
          result.inserted++;
          if (result.sample.length < 10) result.sample.push(barcode);
        }
      }
    });
    let chunk: string[] = [];
    for (const barcode of barcodes) {
      chunk.push(barcode);
      if (chunk.length === 10_000) {
        insertChunk(chunk);
        chunk = [];
      }
    }
    if (chunk.length > 0) insertChunk(chunk);
    return result;
  }

  /** Records that this tool asked GRIN to convert the volume; false if the barcode is unknown. */
  setProcessingRequested(barcode: string, at: Date = this.now()): boolean {
    const ts = isoTimestamp(at);
    return this.updater.update(barcode, { processing_request_timestamp: ts }, isoTimestamp(this.now()));
  }

  /**
   * Replaces all MARC columns (missing fields -> NULL) and sets `marc_extraction_timestamp`;
   * false if the barcode is unknown.
   */
  setMarc(barcode: string, marc: MarcRecord): boolean {
    const ts = isoTimestamp(this.now());
    return this.updater.update(barcode, { ...marcColumnValues(marc), marc_extraction_timestamp: ts }, ts);
  }
}
