import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { openCatalogue, type Catalogue, type ListingRow } from '@grin/books';

export interface RunFixture {
  root: string;
  runName: string;
  /** `root/output/RUN`. */
  runDir: string;
  catalogue: Catalogue;
  books: number;
  /** Titles that need CSV quoting, by barcode. */
  trickyTitles: Map<string, string>;
  cleanup(): Promise<void>;
}

const TRICKY = ['Quotes "inside", and commas', 'Line\nbreak & <tag>', 'Ünïcödé — 書名', '  leading spaces'];

/** A clock that advances one second per call from 2025-03-04 05:06:07 UTC. */
export function steppingClock(start = Date.UTC(2025, 2, 4, 5, 6, 7)): () => Date {
  let t = start;
  return () => {
    const d = new Date(t);
    t += 1000;
    return d;
  };
}

/**
 * A run directory with a catalogue of `books` books filled as collect does (listing pages), a few
 * sync events, and sessions: a completed collect and a sync session ended with `syncStatus`.
 */
export async function makeRun(options: { books?: number; syncStatus?: 'completed' | 'interrupted'; now?: () => Date } = {}): Promise<RunFixture> {
  const root = await mkdtemp(join(tmpdir(), 'grin-teardown-'));
  const runName = 'run_teardown';
  const runDir = join(root, 'output', runName);
  await mkdir(runDir, { recursive: true });
  const books = options.books ?? 250;
  const catalogue = openCatalogue(join(runDir, 'books.db'), options.now === undefined ? {} : { now: options.now });
  const trickyTitles = new Map<string, string>();

  const collect = catalogue.startSession({ stage: 'collect', args: { list: '_all_books' } });
  const pageSize = 100;
  for (let page = 0; page * pageSize < books; page++) {
    const rows: ListingRow[] = [];
    for (let i = page * pageSize; i < Math.min(books, (page + 1) * pageSize); i++) {
      const barcode = `TD${String(i).padStart(8, '0')}`;
      const title = i < TRICKY.length ? TRICKY[i]! : `Title ${i}`;
      if (i < TRICKY.length) trickyTitles.set(barcode, title);
      rows.push({
        barcode,
        title,
        grinState: i % 3 === 0 ? 'CONVERTED' : 'PREVIOUSLY_DOWNLOADED',
        scannedDate: '2019-03-01T10:15:00',
        analyzedDate: null,
        convertedDate: i % 3 === 0 ? '2020-01-01T08:00:00' : null,
        downloadedDate: null,
        processedDate: null,
        ocrDate: null,
        googleBooksLink: `https://books.google.com/books?id=${barcode}`,
      });
    }
    const last = (page + 1) * pageSize >= books;
    catalogue.storeListingPage({
      list: '_all_books',
      pageNumber: page + 1,
      url: `https://example.test/_all_books?page=${page + 1}`,
      nextUrl: last ? null : `https://example.test/_all_books?page=${page + 2}`,
      pageSize,
      rows,
      sessionId: collect,
    });
  }
  catalogue.updateSession(collect, { runtimeSeconds: 4 });
  catalogue.endSession(collect, 'completed');

  const sync = catalogue.startSession({ stage: 'sync', args: { queue: 'previous' } });
  const writer = catalogue.createStatusWriter({ sessionId: sync });
  writer.synced('TD00000000', { storagePath: '/data/raw/TD00000000/TD00000000.tar.gz', encryptedEtag: 'abc', isDecrypted: true, sizeBytes: 1000 });
  writer.conversion('TD00000001', 'requested', { grinResponse: 'Success', reason: 'success_conversion_requested' });
  writer.close();
  catalogue.updateSession(sync, {
    counts: {
      selected: 7,
      synced: 3,
      skipped: 1,
      unavailable: 2,
      failed: 1,
      'skipped:etag_match': 1,
      'failed:decrypt_bad_passphrase': 1,
      'conversion:requested': 2,
      bytes_stored: 5000,
    },
    bytes: 4096,
    runtimeSeconds: 12,
  });
  catalogue.endSession(sync, options.syncStatus ?? 'completed', options.syncStatus === 'interrupted' ? 'interrupted by SIGINT' : null);

  return {
    root,
    runName,
    runDir,
    catalogue,
    books,
    trickyTitles,
    cleanup: async () => {
      if (catalogue.isOpen) catalogue.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Gunzips a database snapshot into `dir` and opens it read-only; returns its book count. */
export async function countBooksInSnapshot(gz: Buffer, dir: string): Promise<number> {
  const path = join(dir, `snapshot-${Math.random().toString(36).slice(2)}.db`);
  await writeFile(path, gunzipSync(gz));
  const copy = openCatalogue(path, { readonly: true });
  try {
    return copy.countBooks();
  } finally {
    copy.close();
  }
}
