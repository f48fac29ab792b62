import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCatalogue, type Catalogue, type WriterTimers } from '../src/index.js';
import { listingRow, makeTempDir, steppingClock } from './helpers.js';

let dir: string;
let cleanup: () => void;
let cat: Catalogue;
let path: string;
beforeEach(() => {
  ({ dir, cleanup } = makeTempDir());
  path = join(dir, 'books.db');
  cat = openCatalogue(path, { now: steppingClock() });
  cat.storeListingPage({ list: 'l', pageNumber: 1, url: null, nextUrl: null, pageSize: 10, rows: [listingRow('A'), listingRow('B')] });
});
afterEach(() => {
  if (cat.isOpen) cat.close();
  cleanup();
});

/** A second, independent connection: sees only committed data. */
function committedHistoryCount(): number {
  const db = new BetterSqlite3(path, { readonly: true });
  try {
    return db.prepare('SELECT count(*) FROM book_status_history').pluck().get() as number;
  } finally {
    db.close();
  }
}

/** Timers driven by the test. */
function manualTimers(): WriterTimers & { fire(): void; scheduled: number[] } {
  let pending: (() => void) | undefined;
  const scheduled: number[] = [];
  return {
    scheduled,
    setTimeout(callback, ms) {
      pending = callback;
      scheduled.push(ms);
      return scheduled.length;
    },
    clearTimeout() {
      pending = undefined;
    },
    fire() {
      const cb = pending;
      pending = undefined;
      cb?.();
    },
  };
}

describe('StatusBatchWriter', () => {
  it('marks nothing synced before the synced event (reference bugs 1-2)', () => {
    const w = cat.createStatusWriter({ maxEvents: 1 });
    w.checked('A', { etag: 'e1', sizeBytes: 100 });
    w.downloaded('A', { etag: 'e1', sizeBytes: 100 });
    w.decrypted('A');
    w.stored('A', { path: 'raw/A/A.tar.gz' });
    let book = cat.getBook('A')!;
    expect(cat.isSynced('A')).toBe(false);
    expect(cat.syncedEtag('A')).toBeNull();
    expect(book.encrypted_etag).toBeNull();
    expect(book.storage_path).toBeNull();
    expect(book.sync_timestamp).toBeNull();
    expect(book.is_decrypted).toBe(0);
    expect(book.sync_status).toBe('stored');
    expect(book.encrypted_size).toBe(100);
    expect(book.last_etag_check).not.toBeNull();
    expect(cat.countBooks({ synced: true })).toBe(0);

    w.synced('A', { storagePath: 'raw/A/A.tar.gz', encryptedEtag: 'e1', isDecrypted: true });
    book = cat.getBook('A')!;
    expect(cat.isSynced('A')).toBe(true);
    expect(cat.syncedEtag('A')).toBe('e1');
    expect(book.storage_path).toBe('raw/A/A.tar.gz');
    expect(book.is_decrypted).toBe(1);
    expect(book.sync_timestamp).toBe(cat.latestStatus('A', 'sync')?.timestamp);
    expect(book.sync_status).toBe('synced');
    expect(cat.countBooks({ synced: true })).toBe(1);
    expect(cat.getStatusHistory('A', 'sync').map((h) => h.statusValue)).toEqual([
      'checked',
      'downloaded',
      'decrypted',
      'stored',
      'synced',
    ]);
  });

  it('keeps the previous synced state when a re-sync fails half-way', () => {
    const w = cat.createStatusWriter({ maxEvents: 1 });
    w.synced('A', { storagePath: 'raw/A', encryptedEtag: 'old', isDecrypted: true });
    w.checked('A', { etag: 'new' });
    w.downloaded('A', { etag: 'new', sizeBytes: 5 });
    w.decryptFailed('A', { error: 'bad passphrase' });
    const book = cat.getBook('A')!;
    expect(cat.syncedEtag('A')).toBe('old');
    expect(book.encrypted_etag).toBe('old');
    expect(book.sync_status).toBe('decrypt_failed');
    expect(book.sync_error).toBe('bad passphrase');
    expect(cat.latestStatus('A', 'sync')?.metadata).toEqual({ error: 'bad passphrase' });
    w.checked('A', { etag: 'new' });
    expect(cat.getBook('A')?.sync_error).toBeNull();
  });

  it('commits in batches of maxEvents, in one transaction each', () => {
    const w = cat.createStatusWriter({ maxEvents: 3, timers: manualTimers() });
    w.checked('A', { etag: 'e' });
    w.checked('B', { etag: 'e' });
    expect(w.pending).toBe(2);
    expect(committedHistoryCount()).toBe(0);
    w.downloaded('A', { etag: 'e', sizeBytes: 1 });
    expect(w.pending).toBe(0);
    expect(committedHistoryCount()).toBe(3);
    w.checkFailed('B', { reason: 'not_available', httpStatus: 404 });
    expect(committedHistoryCount()).toBe(3);
    w.flush();
    expect(committedHistoryCount()).toBe(4);
    expect(cat.latestStatus('B', 'sync')?.metadata).toEqual({
      reason: 'not_available',
      http_status_code: 404,
      etag: null,
      file_size_bytes: null,
    });
    expect(cat.getBook('B')?.sync_error).toBe('not_available');
  });

  it('commits after maxDelayMs through the injected timers', () => {
    const timers = manualTimers();
    const w = cat.createStatusWriter({ maxEvents: 100, maxDelayMs: 250, timers });
    w.checked('A', { etag: 'e' });
    w.checked('B', { etag: 'e' });
    expect(timers.scheduled).toEqual([250]);
    expect(committedHistoryCount()).toBe(0);
    timers.fire();
    expect(committedHistoryCount()).toBe(2);
    w.skipped('A', { reason: 'skip_etag_match', etag: 'e' });
    expect(timers.scheduled).toEqual([250, 250]);
  });

  it('flushes on close of the writer and of the catalogue', () => {
    const w1 = cat.createStatusWriter({ timers: manualTimers() });
    w1.checked('A', { etag: 'e' });
    w1.close();
    expect(committedHistoryCount()).toBe(1);
    expect(() => w1.checked('A', { etag: 'e' })).toThrow(/closed/);

    const w2 = cat.createStatusWriter({ timers: manualTimers() });
    w2.synced('B', { storagePath: 'raw/B', encryptedEtag: 'eb', isDecrypted: false });
    cat.close();
    const reopened = openCatalogue(path);
    expect(reopened.syncedEtag('B')).toBe('eb');
    expect(reopened.getBook('B')?.is_decrypted).toBe(0);
    reopened.close();
  });

  it('keeps events pending when a commit fails (database locked) and commits them later', () => {
    cat.close();
    cat = openCatalogue(path, { now: steppingClock(), busyTimeoutMs: 20 });
    const timers = manualTimers();
    const errors: unknown[] = [];
    const w = cat.createStatusWriter({ timers, onError: (e) => errors.push(e) });
    const other = new BetterSqlite3(path);
    other.prepare('BEGIN IMMEDIATE').run();
    try {
      w.checked('A', { etag: 'e' });
      timers.fire();
      expect(errors).toHaveLength(1);
      expect((errors[0] as { code?: string }).code).toBe('SQLITE_BUSY');
      expect(w.pending).toBe(1);
      // The failed timer commit is retried later.
      expect(timers.scheduled).toHaveLength(2);
      expect(() => w.flush()).toThrow(/locked/);
      expect(w.pending).toBe(1);
      expect(() => cat.close()).toThrow(/locked/);
      expect(cat.isOpen).toBe(true);
    } finally {
      other.prepare('ROLLBACK').run();
      other.close();
    }
    w.checked('B', { etag: 'e' });
    w.flush();
    expect(w.pending).toBe(0);
    expect(committedHistoryCount()).toBe(2);
  });

  it('reports every commit to onCommit with its event count (full batch, timer, flush, close), never a failed one', () => {
    cat.close();
    cat = openCatalogue(path, { now: steppingClock(), busyTimeoutMs: 20 });
    const timers = manualTimers();
    const commits: { events: number; committed: number }[] = [];
    const errors: unknown[] = [];
    const w = cat.createStatusWriter({
      maxEvents: 3,
      timers,
      onError: (e) => errors.push(e),
      // The callback sees the batch already committed (visible to another connection).
      onCommit: (events) => commits.push({ events, committed: committedHistoryCount() }),
    });
    w.checked('A', { etag: 'e' });
    w.checked('B', { etag: 'e' });
    w.checked('A', { etag: 'e' }); // full batch
    w.checked('B', { etag: 'e' });
    timers.fire(); // timer
    w.checked('A', { etag: 'e' });
    w.flush(); // explicit
    w.flush(); // nothing pending: no commit, no call
    expect(commits).toEqual([
      { events: 3, committed: 3 },
      { events: 1, committed: 4 },
      { events: 1, committed: 5 },
    ]);

    const other = new BetterSqlite3(path);
    other.prepare('BEGIN IMMEDIATE').run();
    try {
      w.checked('B', { etag: 'e' });
      timers.fire(); // fails: locked
      expect(errors).toHaveLength(1);
      expect(commits).toHaveLength(3);
    } finally {
      other.prepare('ROLLBACK').run();
      other.close();
    }
    w.close(); // the retried batch
    expect(commits.at(-1)).toEqual({ events: 1, committed: 6 });
    expect(errors).toHaveLength(1);
  });

  it('a throwing onCommit does not undo the commit; its error goes to onError', () => {
    const errors: unknown[] = [];
    const boom = new Error('callback bug');
    const w = cat.createStatusWriter({
      timers: manualTimers(),
      onError: (e) => errors.push(e),
      onCommit: () => {
        throw boom;
      },
    });
    w.checked('A', { etag: 'e' });
    expect(() => w.flush()).not.toThrow();
    expect(w.pending).toBe(0);
    expect(committedHistoryCount()).toBe(1);
    expect(errors).toEqual([boom]);
  });

  it('records the session id; refuses an unknown one; discard drops pending events', () => {
    expect(() => cat.createStatusWriter({ sessionId: 12345 })).toThrow(/session 12345/);
    const session = cat.startSession({ stage: 'sync' });
    const w = cat.createStatusWriter({ sessionId: session, timers: manualTimers() });
    w.checked('A', { etag: 'e' });
    w.flush();
    expect(cat.latestStatus('A', 'sync')?.sessionId).toBe(session);
    w.checked('B', { etag: 'e' });
    expect(w.discard()).toBe(1);
    cat.close();
    expect(committedHistoryCount()).toBe(1);
  });

  it('creates a book row for a barcode collect never saw', () => {
    const w = cat.createStatusWriter();
    w.checkFailed('NEW1', { reason: 'not_available', httpStatus: 404 });
    w.flush();
    expect(cat.getBook('NEW1')?.sync_status).toBe('check_failed');
    expect(cat.countBooks()).toBe(3);
  });

  it('records conversion, MARC and text extraction events with their columns', () => {
    const w = cat.createStatusWriter();
    w.conversion('A', 'requested', { grinResponse: 'Success', requestCount: 1 });
    w.conversion('B', 'conversion_failed', { failedDate: '2024-01-01', failedInfo: 'bad scan', detailedFailedInfo: 'x' });
    w.marcExtracted('A', { title: 'Le titre', language: 'fre', date1: '1999', subjects: 'A -- B' }, { fieldCount: 4 });
    w.marcFailed('B', { error: 'no_marc_metadata' });
    w.textExtracted('A', { pageCount: 12, extractionTimeMs: 30 });
    w.textFailed('B', { error: 'no pages' });
    w.flush();
    const a = cat.getBook('A')!;
    expect(a.processing_request_timestamp).toBe(cat.latestStatus('A', 'conversion')?.timestamp);
    expect(a.marc_title).toBe('Le titre');
    expect(a.marc_date_1).toBe('1999');
    expect(a.marc_lccn).toBeNull();
    expect(a.marc_extraction_timestamp).toBe(cat.latestStatus('A', 'marc_extraction')?.timestamp);
    expect(cat.latestStatus('A', 'conversion')?.metadata).toEqual({ grin_response: 'Success', request_count: 1 });
    expect(cat.latestStatus('B', 'conversion')?.metadata).toEqual({
      grin_convert_failed_date: '2024-01-01',
      grin_convert_failed_info: 'bad scan',
      grin_detailed_convert_failed_info: 'x',
    });
    expect(cat.getBook('B')?.processing_request_timestamp).toBeNull();
    expect(cat.latestStatus('A', 'text_extraction')?.metadata).toEqual({ page_count: 12, extraction_time_ms: 30 });
    expect(cat.latestStatus('B', 'marc_extraction')?.statusValue).toBe('failed');
    // The sync columns are untouched by these events.
    expect(a.sync_status).toBeNull();
  });

  it('storedOcrLocation gives the path of the last completed text extraction, also after a later failure', () => {
    const w = cat.createStatusWriter();
    expect(cat.storedOcrLocation('A')).toBeNull();
    w.textExtracted('A', { pageCount: 3, path: '/s/full/r/A_ocr.jsonl.gz' });
    w.textExtracted('A', { pageCount: 3, path: '/s/full/r/A_ocr.jsonl' });
    w.textFailed('A', { error: 'cannot store A_ocr.jsonl.gz' });
    w.textExtracted('B', { pageCount: 1 });
    w.flush();
    expect(cat.storedOcrLocation('A')).toBe('/s/full/r/A_ocr.jsonl');
    expect(cat.storedOcrLocation('B')).toBeNull();
  });
});
