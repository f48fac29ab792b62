import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCatalogue, type Catalogue, type ListingRow } from '../src/index.js';
import { listingRow, makeTempDir, steppingClock } from './helpers.js';

let dir: string;
let cleanup: () => void;
let cat: Catalogue;
beforeEach(() => {
  ({ dir, cleanup } = makeTempDir());
  cat = openCatalogue(join(dir, 'books.db'), { now: steppingClock() });
});
afterEach(() => {
  if (cat.isOpen) cat.close();
  cleanup();
});

function store(rows: ListingRow[]): void {
  cat.storeListingPage({ list: 'l', pageNumber: 1, url: null, nextUrl: null, pageSize: rows.length, rows });
}

const unconverted = (barcode: string, fields: Partial<ListingRow> = {}): ListingRow =>
  listingRow(barcode, { grinState: 'NEW', convertedDate: null, ...fields });

describe('sync selection', () => {
  it('previous queue: PREVIOUSLY_DOWNLOADED, not requested, not unavailable/failed, not synced, minus exclusions', () => {
    store([
      listingRow('P1', { grinState: 'PREVIOUSLY_DOWNLOADED' }),
      listingRow('P2', { grinState: 'PREVIOUSLY_DOWNLOADED' }),
      listingRow('P3', { grinState: 'PREVIOUSLY_DOWNLOADED' }),
      listingRow('P4', { grinState: 'PREVIOUSLY_DOWNLOADED' }),
      listingRow('P5', { grinState: 'PREVIOUSLY_DOWNLOADED' }),
      listingRow('P6', { grinState: 'PREVIOUSLY_DOWNLOADED' }),
      listingRow('C1', { grinState: 'CONVERTED' }),
    ]);
    const w = cat.createStatusWriter();
    w.conversion('P2', 'unavailable', { grinResponse: 'Book not available for conversion' });
    w.conversion('P3', 'conversion_failed', { failedInfo: 'x' });
    w.conversion('P4', 'requested', { grinResponse: 'Success' });
    w.synced('P5', { storagePath: 's', encryptedEtag: 'e', isDecrypted: true });
    w.conversion('P6', 'in_process');
    w.flush();

    expect([...cat.iterateQueue('previous')]).toEqual(['P1', 'P6']);
    expect([...cat.iterateQueue('previous', { exclude: new Set(['P6']) })]).toEqual(['P1']);
    expect([...cat.iterateQueue('previous', { includeConversionFailed: true })]).toEqual(['P1', 'P3', 'P6']);
    expect([...cat.iterateQueue('previous', { excludeSynced: false })]).toEqual(['P1', 'P5', 'P6']);
    expect([...cat.iterateQueue('previous', { limit: 1 })]).toEqual(['P1']);
    expect(cat.countQueue('previous')).toBe(2);
  });

  it('unconverted queue: never requested, not converted, no check-in, state not CHECKED_IN/NOT_AVAILABLE', () => {
    store([
      unconverted('U1'),
      unconverted('U2', { grinState: null }),
      unconverted('U3', { grinState: 'CHECKED_IN' }),
      unconverted('U4', { grinState: 'NOT_AVAILABLE_FOR_DOWNLOAD' }),
      unconverted('U5', { convertedDate: '2020-01-01T00:00:00' }),
      unconverted('U6'),
      unconverted('U7'),
      unconverted('U8', { grinState: '' }),
    ]);
    cat.setProcessingRequested('U6');
    const w = cat.createStatusWriter();
    w.conversion('U7', 'unavailable');
    w.flush();
    expect([...cat.iterateQueue('unconverted')]).toEqual(['U1', 'U2', 'U8']);
    expect(cat.getBook('U6')?.processing_request_timestamp).not.toBeNull();
  });

  it('iterates in batches so the same connection can write while iterating', () => {
    store(Array.from({ length: 25 }, (_, i) => listingRow(`P${String(i).padStart(2, '0')}`, { grinState: 'PREVIOUSLY_DOWNLOADED' })));
    const w = cat.createStatusWriter({ maxEvents: 1 });
    const seen: string[] = [];
    for (const barcode of cat.iterateQueue('previous', { batchSize: 4 })) {
      seen.push(barcode);
      w.conversion(barcode, 'requested');
    }
    expect(seen).toHaveLength(25);
    expect(cat.countQueue('previous')).toBe(0);
    const books = [...cat.iterateBooks({ batchSize: 7 })];
    expect(books.map((b) => b.barcode)).toEqual(seen);
    expect(books.every((b) => b.processing_request_timestamp !== null)).toBe(true);
  });

  it('uses the grin_state index for the previous queue and the partial index for synced books', () => {
    const path = join(dir, 'books.db');
    cat.close();
    const db = new BetterSqlite3(path, { readonly: true });
    const plan = (sql: string): string =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join(' | ');
    expect(plan("SELECT rowid, barcode FROM books WHERE rowid > 0 AND grin_state = 'PREVIOUSLY_DOWNLOADED' ORDER BY rowid LIMIT 10")).toMatch(
      /idx_books_grin_state/,
    );
    expect(plan('SELECT count(*) FROM books WHERE sync_timestamp IS NOT NULL')).toMatch(/idx_books_synced/);
    expect(plan("SELECT 1 FROM book_status_history WHERE barcode = 'x' AND status_type = 'conversion'")).toMatch(
      /idx_status_history_barcode_type_time/,
    );
    db.close();
  });
});

describe('book queries', () => {
  it('ensureBooks inserts bare rows only for unknown barcodes', () => {
    store([listingRow('A')]);
    const result = cat.ensureBooks(['A', 'X1', 'X2', 'X1']);
    expect(result).toEqual({ inserted: 2, sample: ['X1', 'X2'] });
    const bare = cat.getBook('X1')!;
    expect(bare.title).toBeNull();
    expect(bare.is_decrypted).toBe(0);
    expect(bare.created_at).not.toBe('');
    expect(cat.getBook('A')?.title).toBe('Title A');
    const many = cat.ensureBooks(Array.from({ length: 25_000 }, (_, i) => `M${i}`));
    expect(many.inserted).toBe(25_000);
    expect(many.sample).toHaveLength(10);
    expect(cat.countBooks()).toBe(25_003);
  });

  it('countBooks filters by state, synced and sync status', () => {
    store([listingRow('A'), listingRow('B', { grinState: 'NEW' }), listingRow('C', { grinState: null })]);
    const w = cat.createStatusWriter();
    w.synced('A', { storagePath: 'p', encryptedEtag: 'e', isDecrypted: true });
    w.downloadFailed('B', { error: 'reset', httpStatus: 503 });
    w.flush();
    expect(cat.countBooks()).toBe(3);
    expect(cat.countBooks({ grinState: 'NEW' })).toBe(1);
    expect(cat.countBooks({ grinState: null })).toBe(1);
    expect(cat.countBooks({ synced: true })).toBe(1);
    expect(cat.countBooks({ synced: false })).toBe(2);
    expect(cat.countBooks({ syncStatus: 'download_failed' })).toBe(1);
    expect(cat.countBooks({ syncStatus: null })).toBe(1);
    expect(cat.countBooks({ synced: false, grinState: 'NEW' })).toBe(1);
  });

  it('setMarc replaces all MARC columns; unknown barcodes report false', () => {
    store([listingRow('A')]);
    expect(cat.setMarc('A', { title: 'T', isbn: '123', oclcNumbers: '1; 2' })).toBe(true);
    expect(cat.setMarc('A', { title: 'T2' })).toBe(true);
    const a = cat.getBook('A')!;
    expect(a.marc_title).toBe('T2');
    expect(a.marc_isbn).toBeNull();
    expect(a.marc_extraction_timestamp).not.toBeNull();
    expect(a.title).toBe('Title A');
    expect(cat.setMarc('nope', { title: 'x' })).toBe(false);
    expect(cat.setProcessingRequested('nope')).toBe(false);
  });
});
