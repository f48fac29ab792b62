import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ListingCursorError, openCatalogue, type Catalogue, type ListingPageInput, type ListingRow } from '../src/index.js';
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

function page(pageNumber: number, rows: ListingRow[], extra: Partial<ListingPageInput> = {}): ListingPageInput {
  return {
    list: '_all_books',
    pageNumber,
    url: `https://grin/_all_books?p=${pageNumber}`,
    nextUrl: `https://grin/_all_books?p=${pageNumber + 1}`,
    pageSize: 3,
    rows,
    ...extra,
  };
}

describe('storeListingPage, insert mode', () => {
  it('inserts new rows and leaves existing rows exactly as they are', () => {
    expect(cat.storeListingPage(page(1, [listingRow('A'), listingRow('B'), listingRow('C', { title: '' })]))).toEqual({
      inserted: 3,
      updated: 0,
      unchanged: 0,
    });
    const before = cat.getBook('A');
    expect(before?.title).toBe('Title A');
    expect(before?.created_at).toBe(before?.updated_at);
    // Empty strings are stored as NULL, never as ''.
    expect(cat.getBook('C')?.title).toBeNull();

    const result = cat.storeListingPage(
      page(2, [listingRow('A', { title: 'Changed', grinState: 'NEW' }), listingRow('D'), listingRow('B')]),
    );
    expect(result).toEqual({ inserted: 1, updated: 0, unchanged: 2 });
    expect(cat.getBook('A')).toEqual(before);
    expect(cat.countBooks()).toBe(4);
  });

  it('stores every listing field in its column', () => {
    const row = listingRow('X1', { downloadedDate: '2021-05-05T05:05:00' });
    cat.storeListingPage(page(1, [row]));
    const book = cat.getBook('X1')!;
    expect({
      barcode: book.barcode,
      title: book.title,
      grinState: book.grin_state,
      scannedDate: book.scanned_date,
      analyzedDate: book.analyzed_date,
      convertedDate: book.converted_date,
      downloadedDate: book.downloaded_date,
      processedDate: book.processed_date,
      ocrDate: book.ocr_date,
      googleBooksLink: book.google_books_link,
    }).toEqual(row);
    expect(book.is_decrypted).toBe(0);
    expect(book.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/);
  });
});

describe('storeListingPage, refresh mode', () => {
  it('updates GRIN fields with non-empty values only, never blanks a value, and counts exactly', () => {
    cat.storeListingPage(page(1, [listingRow('A'), listingRow('B'), listingRow('C')]));
    const b = cat.getBook('B')!;
    const result = cat.storeListingPage(
      page(
        1,
        [
          // A: a real change plus blanks that must not erase anything.
          listingRow('A', { title: 'New title', grinState: '', googleBooksLink: '', ocrDate: null, convertedDate: '2024-02-02T02:02:00' }),
          // B: identical -> unchanged.
          listingRow('B'),
          // C: only blanks/nulls -> unchanged.
          listingRow('C', { title: '', grinState: null, scannedDate: '', analyzedDate: null, convertedDate: null, processedDate: null, ocrDate: null, googleBooksLink: '' }),
          // D: new.
          listingRow('D'),
        ],
        { mode: 'refresh' },
      ),
    );
    expect(result).toEqual({ inserted: 1, updated: 1, unchanged: 2 });
    const a = cat.getBook('A')!;
    expect(a.title).toBe('New title');
    expect(a.converted_date).toBe('2024-02-02T02:02:00');
    expect(a.grin_state).toBe('CONVERTED');
    expect(a.google_books_link).toBe('https://books.google.com/books?id=A');
    expect(a.ocr_date).toBe('2019-03-04T10:15:00');
    expect(a.updated_at > a.created_at).toBe(true);
    // Unchanged rows keep their updated_at.
    expect(cat.getBook('B')).toEqual(b);
    expect(cat.getBook('C')?.title).toBe('Title C');
  });

  it('never touches sync, enrichment, MARC or request columns', () => {
    cat.storeListingPage(page(1, [listingRow('A')]));
    cat.setMarc('A', { title: 'MARC title', language: 'eng', subjects: 'History' });
    cat.setProcessingRequested('A', new Date(Date.UTC(2025, 5, 1)));
    const writer = cat.createStatusWriter();
    writer.synced('A', { storagePath: 'raw/A/A.tar.gz', encryptedEtag: 'etag-1', isDecrypted: true, sizeBytes: 42 });
    writer.close();
    const before = cat.getBook('A')!;

    const result = cat.storeListingPage(page(1, [listingRow('A', { title: 'Renamed' })], { mode: 'refresh' }));
    expect(result).toEqual({ inserted: 0, updated: 1, unchanged: 0 });
    const after = cat.getBook('A')!;
    expect(after.title).toBe('Renamed');
    const { title: _t1, updated_at: _u1, ...restBefore } = before;
    const { title: _t2, updated_at: _u2, ...restAfter } = after;
    expect(restAfter).toEqual(restBefore);
    expect(after.marc_title).toBe('MARC title');
    expect(after.encrypted_etag).toBe('etag-1');
    expect(after.processing_request_timestamp).toBe('2025-06-01T00:00:00.000+00:00');
  });
});

describe('listing cursor', () => {
  it('advances with each page and completes on the last one', () => {
    expect(cat.getListingCursor('_all_books')).toBeUndefined();
    const session = cat.startSession({ stage: 'collect' });
    cat.storeListingPage(page(1, [listingRow('A'), listingRow('B')], { rowsWithoutBarcode: 1, sessionId: session }));
    let cursor = cat.getListingCursor('_all_books')!;
    expect(cursor).toMatchObject({
      pageNumber: 1,
      nextUrl: 'https://grin/_all_books?p=2',
      pageUrl: 'https://grin/_all_books?p=1',
      pageSize: 3,
      rowsSeen: 3,
      pagesStored: 1,
      rowsInserted: 2,
      rowsWithoutBarcode: 1,
      completedAt: null,
      totalRowsLastWalk: null,
    });
    cat.storeListingPage(page(2, [listingRow('A'), listingRow('C')], { nextUrl: null, sessionId: session }));
    cursor = cat.getListingCursor('_all_books')!;
    expect(cursor).toMatchObject({ pageNumber: 2, nextUrl: null, rowsSeen: 5, pagesStored: 2, rowsInserted: 3, rowsUnchanged: 1 });
    expect(cursor.completedAt).not.toBeNull();
    expect(cursor.totalRowsLastWalk).toBe(5);
    expect(cat.getSession(session)?.counts).toEqual({
      pages: 2,
      rowsSeen: 5,
      inserted: 3,
      updated: 0,
      unchanged: 1,
      withoutBarcode: 1,
    });
  });

  it('rejects out-of-order pages and pages after a completed walk; page 1 starts a new walk', () => {
    cat.storeListingPage(page(1, [listingRow('A')]));
    expect(() => cat.storeListingPage(page(3, [listingRow('B')]))).toThrow(ListingCursorError);
    expect(() => cat.storeListingPage(page(1.5, [listingRow('B')]))).toThrow(ListingCursorError);
    expect(cat.getBook('B')).toBeUndefined();
    cat.storeListingPage(page(2, [listingRow('B')], { nextUrl: null }));
    expect(() => cat.storeListingPage(page(3, [listingRow('C')]))).toThrow(/completed walk/);

    cat.storeListingPage(page(1, [listingRow('C')], { mode: 'refresh' }));
    const cursor = cat.getListingCursor('_all_books')!;
    expect(cursor).toMatchObject({ pageNumber: 1, pagesStored: 1, rowsSeen: 1, completedAt: null, totalRowsLastWalk: 2 });
    expect(() => cat.storeListingPage(page(2, [], { list: 'other' }))).toThrow(/no cursor/);
  });

  it('takes the rest of a page stored in part (the cursor kept on it) under the same page number', () => {
    cat.storeListingPage(page(1, [listingRow('A')]));
    // --limit stopped inside page 2: its first row was stored and the cursor points at page 2 again.
    cat.storeListingPage(page(2, [listingRow('B')], { nextUrl: 'https://grin/_all_books?p=2' }));
    cat.storeListingPage(page(2, [listingRow('C')]));
    expect(cat.getListingCursor('_all_books')).toMatchObject({ pageNumber: 2, nextUrl: 'https://grin/_all_books?p=3', pagesStored: 2, rowsSeen: 3 });
    // A page stored whole moves the cursor on: the same number again is out of order.
    expect(() => cat.storeListingPage(page(2, [listingRow('D')]))).toThrow(/last stored page 2/);
    cat.storeListingPage(page(3, [listingRow('D')], { nextUrl: null }));
    expect(cat.getListingCursor('_all_books')).toMatchObject({ pageNumber: 3, pagesStored: 3, rowsSeen: 4 });

    // Also page 1: its rest continues the walk rather than starting a new one.
    cat.resetListingCursor('_all_books');
    cat.storeListingPage(page(1, [listingRow('A')], { nextUrl: 'https://grin/_all_books?p=1' }));
    cat.storeListingPage(page(1, [listingRow('B')]));
    expect(cat.getListingCursor('_all_books')).toMatchObject({ pageNumber: 1, pagesStored: 1, rowsSeen: 2 });
  });

  it('writes neither rows nor cursor when anything in the page transaction fails', () => {
    cat.storeListingPage(page(1, [listingRow('A')]));
    const cursorBefore = cat.getListingCursor('_all_books');
    // A row violating the barcode constraint after two good rows.
    expect(() => cat.storeListingPage(page(2, [listingRow('B'), listingRow('C'), listingRow('')]))).toThrow(/CHECK constraint/);
    expect(cat.getBook('B')).toBeUndefined();
    expect(cat.getListingCursor('_all_books')).toEqual(cursorBefore);
    // A failure after all rows were written (the session update of an unknown session).
    expect(() => cat.storeListingPage(page(2, [listingRow('B'), listingRow('C')], { sessionId: 999 }))).toThrow(/session 999/);
    expect(cat.countBooks()).toBe(1);
    expect(cat.getListingCursor('_all_books')).toEqual(cursorBefore);
    // The same page then stores fine.
    expect(cat.storeListingPage(page(2, [listingRow('B'), listingRow('C')]))).toEqual({ inserted: 2, updated: 0, unchanged: 0 });
  });

  it('keeps the cursor across reopen; reset forgets the walk but keeps the last total', () => {
    cat.storeListingPage(page(1, [listingRow('A'), listingRow('B')], { nextUrl: null }));
    cat.storeListingPage(page(1, [listingRow('A')]));
    cat.close();
    cat = openCatalogue(join(dir, 'books.db'), { now: steppingClock(Date.UTC(2026, 0, 1)) });
    expect(cat.getListingCursor('_all_books')).toMatchObject({ pageNumber: 1, nextUrl: 'https://grin/_all_books?p=2', totalRowsLastWalk: 2 });
    cat.resetListingCursor('_all_books');
    expect(cat.getListingCursor('_all_books')).toMatchObject({
      pageNumber: 0,
      nextUrl: null,
      rowsSeen: 0,
      pagesStored: 0,
      completedAt: null,
      totalRowsLastWalk: 2,
    });
    cat.markListingComplete('_all_books', 1234);
    const cursor = cat.getListingCursor('_all_books')!;
    expect(cursor.totalRowsLastWalk).toBe(1234);
    expect(cursor.completedAt).toBe('2026-01-01T00:00:01.000+00:00');
    cat.markListingComplete('_converted', 7);
    expect(cat.getListingCursor('_converted')).toMatchObject({ totalRowsLastWalk: 7, pageNumber: 0 });
  });
});
