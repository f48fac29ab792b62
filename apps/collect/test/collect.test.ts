import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalogue } from '@grin/books';
import { collectInProcess, makeTempDir, readBooks, readCursor, runDir } from './helpers/run-collect.js';
import { expectedLibrary, pageMark, pagesSince, startTestGrin, type TestGrin } from './helpers/simulated-grin.js';

const BOOKS = 2_500;
const PAGE = 1_000;

let grin: TestGrin;
let temp: { dir: string; cleanup: () => void };
beforeAll(async () => {
  grin = await startTestGrin({ books: BOOKS });
  temp = makeTempDir();
});
afterAll(async () => {
  await grin.close();
  temp.cleanup();
});

const args = (run: string, ...more: string[]): string[] => [...grin.args, '--run-name', run, '--page-size', String(PAGE), ...more];

describe('collect against the simulator', () => {
  it('collects the whole listing equal to the simulated library, field by field', async () => {
    const mark = pageMark(grin.sim);
    const run = await collectInProcess(args('full'), temp.dir);
    expect(run.error).toBeNull();
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Collected _all_books completely \(2,500 rows/);
    const dir = runDir(temp.dir, 'full');
    const books = readBooks(join(dir, 'books.db'));
    const expected = [...expectedLibrary(grin.sim).values()].sort((a, b) => a.barcode.localeCompare(b.barcode));
    expect(books.length).toBe(BOOKS);
    expect(books).toEqual(expected);
    expect(pagesSince(grin.sim, mark)).toEqual([1, 2, 3]);

    const cursor = readCursor(join(dir, 'books.db'));
    expect(cursor).toMatchObject({ pageNumber: 3, nextUrl: null, rowsSeen: BOOKS, rowsInserted: BOOKS, totalRowsLastWalk: BOOKS });
    expect(cursor?.completedAt).not.toBeNull();

    // Run records: run_config.json without secrets, progress.json mirror, summary, CSV.
    const config = readFileSync(join(dir, 'run_config.json'), 'utf8');
    expect(JSON.parse(config)).toMatchObject({ run_name: 'full', library_directory: 'Simulated', collect: { page_size: PAGE } });
    const credentials = JSON.parse(readFileSync(join(grin.credentialsDir, 'credentials.json'), 'utf8')) as { refresh_token: string };
    expect(config).not.toContain(credentials.refresh_token);
    const progress = JSON.parse(readFileSync(join(dir, 'progress.json'), 'utf8'));
    expect(progress).toMatchObject({
      state: 'completed',
      resume_count: 0,
      counts: { this_session: { pages: 3, rows_seen: BOOKS, new: BOOKS, updated: 0, unchanged: 0, without_barcode: 0, failed: 0 } },
      pagination_state: { current_page: 3, next_url: null, rows_seen: BOOKS },
    });
    expect(progress.job_metadata.started_by_user).toBeTruthy();
    expect(progress.job_metadata.node_version).toBe(process.version);
    const summary = JSON.parse(readFileSync(join(dir, 'process_summary.json'), 'utf8'));
    expect(summary.stages.collect).toMatchObject({ status: 'completed', is_completed: true, counts: { inserted: BOOKS } });
    const csv = parse(readFileSync(join(dir, 'books_export.csv')), { columns: true }) as Record<string, string>[];
    expect(csv.length).toBe(BOOKS);
    expect(existsSync(join(dir, 'session.lock'))).toBe(false);
  });

  it('does not walk a complete listing again: says so, re-exports, exits 0', async () => {
    const mark = pageMark(grin.sim);
    const run = await collectInProcess(args('full'), temp.dir);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/already collected completely/);
    expect(run.stdout).toMatch(/re-exported 2,500 books/);
    expect(pagesSince(grin.sim, mark)).toEqual([]);
  });

  it('--limit stores exactly N rows, warns, and a rerun completes without fetching committed pages again', async () => {
    let mark = pageMark(grin.sim);
    const limited = await collectInProcess(args('limited', '--limit', '1500'), temp.dir);
    expect(limited.code).toBe(0);
    expect(limited.stderr).toMatch(/INCOMPLETE/);
    expect(limited.stderr).toContain('pnpm run collect -- --library-directory Simulated --run-name limited');
    const db = join(runDir(temp.dir, 'limited'), 'books.db');
    expect(readBooks(db).length).toBe(1500);
    // Page 3 may have been requested as the prefetch (then abandoned) before the limit was hit.
    expect(pagesSince(grin.sim, mark).slice(0, 2)).toEqual([1, 2]);
    expect(pagesSince(grin.sim, mark).length).toBeLessThanOrEqual(3);
    const progress = JSON.parse(readFileSync(join(runDir(temp.dir, 'limited'), 'progress.json'), 'utf8'));
    expect(progress.state).toBe('limit');

    mark = pageMark(grin.sim);
    const rest = await collectInProcess(args('limited'), temp.dir);
    expect(rest.code).toBe(0);
    expect(rest.stderr + rest.stdout).toContain('the last page was stored in part (--limit), so it is fetched again and its first 500 rows are skipped');
    // Page 1 was committed whole and is not fetched again; page 2 was stored only in part.
    expect(pagesSince(grin.sim, mark)).toEqual([2, 3]);
    const expected = [...expectedLibrary(grin.sim).values()].sort((a, b) => a.barcode.localeCompare(b.barcode));
    expect(readBooks(db)).toEqual(expected);
    const cursor = readCursor(db);
    expect(cursor?.rowsSeen).toBe(BOOKS); // the partial rows are not counted twice
    expect(cursor?.rowsInserted).toBe(BOOKS);
    // Page 2 was read again as page 2, so the walk ends on the listing's real last page.
    expect(cursor?.pageNumber).toBe(Math.ceil(BOOKS / PAGE));
  });

  it('--refresh updates GRIN fields, never blanks a stored value, never touches other columns', async () => {
    const dir = runDir(temp.dir, 'full');
    const expected = expectedLibrary(grin.sim);
    const all = [...expected.values()];
    const changed = all.filter((b) => b.title !== null).slice(0, 5);
    const untitled = all.find((b) => b.title === null);
    expect(untitled).toBeDefined();
    const raw = new BetterSqlite3(join(dir, 'books.db'));
    const set = raw.prepare('UPDATE books SET title = ?, grin_state = ?, marc_title = ?, grin_viewability = ? WHERE barcode = ?');
    for (const b of changed) set.run('Old title', 'NEW', 'MARC kept', 'FULL', b.barcode);
    set.run('A title GRIN no longer shows', untitled!.grin_state, 'MARC kept', null, untitled!.barcode);
    raw.close();

    const run = await collectInProcess(args('full', '--refresh'), temp.dir);
    expect(run.code).toBe(0);
    const cat = openCatalogue(join(dir, 'books.db'), { readonly: true });
    try {
      for (const b of changed) {
        const book = cat.getBook(b.barcode)!;
        expect(book.title).toBe(b.title);
        expect(book.grin_state).toBe(b.grin_state);
        expect(book.marc_title).toBe('MARC kept');
        expect(book.grin_viewability).toBe('FULL');
      }
      const kept = cat.getBook(untitled!.barcode)!;
      expect(kept.title).toBe('A title GRIN no longer shows'); // GRIN's empty title did not blank it
      expect(kept.marc_title).toBe('MARC kept');
      const session = cat.listSessions('collect').at(-1)!;
      expect(session.counts).toMatchObject({ updated: changed.length, inserted: 0, unchanged: BOOKS - changed.length });
    } finally {
      cat.close();
    }
  });

  it('exports CSV that round-trips titles with quotes, commas, newlines and non-ASCII', async () => {
    const dir = runDir(temp.dir, 'full');
    const tricky = ['He said "no", then left', 'Line one\nline two\r\nline three', 'Ελληνικά, 日本語 & émigrés', '"', ',,,', ' leading and trailing '];
    const raw = new BetterSqlite3(join(dir, 'books.db'));
    const barcodes = (raw.prepare('SELECT barcode FROM books ORDER BY rowid LIMIT ?').pluck().all(tricky.length) as string[]);
    tricky.forEach((title, i) => raw.prepare('UPDATE books SET title = ? WHERE barcode = ?').run(title, barcodes[i]));
    raw.close();

    const run = await collectInProcess(args('full'), temp.dir); // complete listing: re-exports only
    expect(run.code).toBe(0);
    const text = readFileSync(join(dir, 'books_export.csv'), 'utf8');
    const records = parse(text, { columns: true }) as Record<string, string>[];
    const byBarcode = new Map(records.map((r) => [r['Barcode'], r]));
    tricky.forEach((title, i) => expect(byBarcode.get(barcodes[i]!)?.['Title']).toBe(title));
    // Every title the simulator generates (quotes, commas, &, <, non-ASCII) survives as well.
    const db = readBooks(join(dir, 'books.db'));
    for (const book of db) expect(byBarcode.get(book['barcode'] as string)?.['Title']).toBe(book['title'] ?? '');
    expect(db.some((b) => /[^\x00-\x7f]/.test(String(b['title'])))).toBe(true);
    expect(db.some((b) => String(b['title']).includes('"'))).toBe(true);
    expect(db.some((b) => String(b['title']).includes(','))).toBe(true);
  });
});
