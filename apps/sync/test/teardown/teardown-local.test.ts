import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { BOOK_COLUMNS } from '@grin/books';
import { parse } from 'csv-parse/sync';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalStorage } from '../../src/storage/index.js';
import { runTeardown, teardownError, type RunSummary, type TeardownInput, type TeardownReport } from '../../src/teardown/index.js';
import { countBooksInSnapshot, makeRun, steppingClock, type RunFixture } from './run-fixtures.js';

let runs: RunFixture[] = [];
afterEach(async () => {
  await Promise.all(runs.map((r) => r.cleanup()));
  runs = [];
});

async function run(options: Parameters<typeof makeRun>[0] = {}): Promise<RunFixture> {
  const r = await makeRun(options);
  runs.push(r);
  return r;
}

function storageFor(r: RunFixture): { storage: LocalStorage; metaDir: string } {
  const base = join(r.root, 'storage');
  return { storage: new LocalStorage({ basePath: base, runName: r.runName }), metaDir: join(base, 'meta', r.runName) };
}

/** The teardown of run `r` into `storage`, with any other input fields. */
function teardown(r: RunFixture, storage: LocalStorage | null, extra: Partial<TeardownInput> = {}): Promise<TeardownReport> {
  return runTeardown({ catalogue: r.catalogue, storage, runName: r.runName, runDir: r.runDir, ...extra });
}

function parseCsv(text: string): string[][] {
  return parse(text, { relax_column_count: false }) as string[][];
}

function item(report: TeardownReport, name: string) {
  return report.items.find((i) => i.name === name);
}

async function readSummary(r: RunFixture): Promise<RunSummary> {
  return JSON.parse(await readFile(join(r.runDir, 'process_summary.json'), 'utf8')) as RunSummary;
}

describe('runTeardown with local storage', () => {
  it('writes the CSV, the database snapshot and the summary, locally and under meta/RUN', async () => {
    const r = await run({ books: 250 });
    const { storage, metaDir } = storageFor(r);
    const report = await teardown(r, storage, { now: steppingClock() });

    expect(report.ok).toBe(true);
    expect(teardownError(report)).toBeNull();
    expect(report.timestamp).toBe('20250304_050607');
    expect(report.items.map((i) => [i.name, i.ok])).toEqual([
      ['csv_export', true],
      ['csv_latest', true],
      ['csv_timestamped', true],
      ['database_backup', true],
      ['database_latest', true],
      ['database_timestamped', true],
      ['process_summary', true],
      ['process_summary_upload', true],
    ]);

    // CSV: every column, one line per book, RFC 4180 quoting round-trips.
    const csvText = await readFile(join(r.runDir, 'books_export.csv'), 'utf8');
    const [header, ...rows] = parseCsv(csvText);
    expect(header).toEqual(BOOK_COLUMNS.map((c) => c.header));
    expect(rows).toHaveLength(r.books);
    expect(item(report, 'csv_export')).toMatchObject({ rows: r.books, location: join(r.runDir, 'books_export.csv') });
    const titleAt = header!.indexOf('Title');
    for (const [barcode, title] of r.trickyTitles) expect(rows.find((row) => row[0] === barcode)?.[titleAt]).toBe(title);
    const decryptedAt = header!.indexOf('Is Decrypted');
    expect(rows.find((row) => row[0] === 'TD00000000')?.[decryptedAt]).toBe('TRUE');

    // Meta copies: gzipped, byte-identical to the local export.
    const latest = await readFile(join(metaDir, 'books_latest.csv.gz'));
    expect(gunzipSync(latest).toString('utf8')).toBe(csvText);
    const timestamped = await readFile(join(metaDir, 'timestamped', '20250304_050607_books.csv.gz'));
    expect(gunzipSync(timestamped).toString('utf8')).toBe(csvText);
    expect(item(report, 'csv_latest')?.location).toBe(join(metaDir, 'books_latest.csv.gz'));

    // Database: gunzips to a readable catalogue with every book.
    expect(await countBooksInSnapshot(await readFile(join(metaDir, 'books_latest.db.gz')), r.root)).toBe(r.books);
    expect(await countBooksInSnapshot(await readFile(join(metaDir, 'timestamped', '20250304_050607_books_latest.db.gz')), r.root)).toBe(r.books);

    // Summary: both stages with counts, totals, reasons, bytes; the teardown items before it.
    const summary = await readSummary(r);
    expect(Object.keys(summary.stages).sort()).toEqual(['collect', 'sync']);
    expect(summary.stages['sync']).toMatchObject({
      status: 'completed',
      is_completed: true,
      bytes: 4096,
      duration_seconds: 12,
      totals: { processed: 7, succeeded: 3, skipped: 1, failed: 1 },
      by_reason: { skipped: { etag_match: 1 }, failed: { decrypt_bad_passphrase: 1 }, conversion: { requested: 2 } },
    });
    expect(summary.stages['collect']).toMatchObject({ status: 'completed', totals: { processed: r.books, succeeded: r.books, skipped: 0, failed: 0 } });
    expect(summary.stages['collect']?.counts).toMatchObject({ pages: 3, rowsSeen: r.books, inserted: r.books });
    expect(summary.stages['sync']?.session_history).toHaveLength(1);
    expect(summary.teardown?.items.map((i) => i.name)).toEqual(report.items.slice(0, 6).map((i) => i.name));
    expect(summary.is_completed).toBe(true);
    const uploaded = JSON.parse(gunzipSync(await readFile(join(metaDir, 'process_summary.json.gz'))).toString('utf8')) as unknown;
    expect(uploaded).toEqual(summary);

    // No temp files left behind.
    expect((await readdir(r.runDir)).some((f) => f.startsWith('.'))).toBe(false);
  });

  it('produces complete files after an interrupted run, and the summary shows the interruption', async () => {
    const r = await run({ books: 120, syncStatus: 'interrupted' });
    const { storage, metaDir } = storageFor(r);
    // The first Ctrl-C aborted the pipeline's drain signal; the teardown gets only the hard stop.
    const drain = new AbortController();
    drain.abort();
    const hardStop = new AbortController();
    const report = await teardown(r, storage, { signal: hardStop.signal });
    expect(report.ok).toBe(true);
    const [, ...rows] = parseCsv(await readFile(join(r.runDir, 'books_export.csv'), 'utf8'));
    expect(rows).toHaveLength(120);
    expect(await countBooksInSnapshot(await readFile(join(metaDir, 'books_latest.db.gz')), r.root)).toBe(120);
    const summary = await readSummary(r);
    expect(summary.stages['sync']).toMatchObject({ status: 'interrupted', is_completed: false, interruptions: 1, last_error: 'interrupted by SIGINT' });
    expect(summary.interruption_count).toBe(1);
    expect(summary.is_completed).toBe(false);
    expect(summary.stages['collect']?.is_completed).toBe(true);
  });

  it('counts resumes: a second sync session after the interrupted one', async () => {
    const r = await run({ books: 30, syncStatus: 'interrupted' });
    const resumed = r.catalogue.startSession({ stage: 'sync' });
    r.catalogue.updateSession(resumed, { counts: { synced: 2, skipped: 1 }, bytes: 100, runtimeSeconds: 3 });
    r.catalogue.endSession(resumed, 'completed');
    const report = await teardown(r, null);
    expect(report.ok).toBe(true);
    const summary = await readSummary(r);
    expect(summary.stages['sync']).toMatchObject({
      sessions: 2,
      resume_count: 1,
      interruptions: 1,
      status: 'completed',
      bytes: 4196,
      duration_seconds: 15,
      totals: { succeeded: 5, skipped: 2 },
    });
    expect(summary.stages['sync']?.session_history.map((s) => s.status)).toEqual(['interrupted', 'completed']);
  });

  it('honours skipCsvExport, skipDatabaseBackup and skipCompressionMeta', async () => {
    const r = await run({ books: 40 });
    const { storage, metaDir } = storageFor(r);
    const skipped = await teardown(r, storage, { options: { skipCsvExport: true, skipDatabaseBackup: true } });
    expect(skipped.ok).toBe(true);
    expect(skipped.items.filter((i) => i.skipped !== undefined).map((i) => [i.name, i.skipped])).toEqual([
      ['csv_export', 'skip_csv_export'],
      ['csv_latest', 'skip_csv_export'],
      ['csv_timestamped', 'skip_csv_export'],
      ['database_backup', 'skip_database_backup'],
      ['database_latest', 'skip_database_backup'],
      ['database_timestamped', 'skip_database_backup'],
    ]);
    expect(existsSync(join(r.runDir, 'books_export.csv'))).toBe(false);
    expect((await readdir(metaDir)).sort()).toEqual(['process_summary.json.gz']);
    expect(existsSync(join(r.runDir, 'process_summary.json'))).toBe(true);

    const plain = await teardown(r, storage, { options: { skipCompressionMeta: true, skipDatabaseBackup: true }, now: steppingClock() });
    expect(plain.ok).toBe(true);
    const local = await readFile(join(r.runDir, 'books_export.csv'), 'utf8');
    expect(await readFile(join(metaDir, 'books_latest.csv'), 'utf8')).toBe(local);
    expect(await readFile(join(metaDir, 'timestamped', '20250304_050607_books.csv'), 'utf8')).toBe(local);
  });

  it('switching --skip-compression-meta between runs leaves one books_latest.csv variant, the current one', async () => {
    const r = await run({ books: 12 });
    const { storage, metaDir } = storageFor(r);
    const teardownWith = (skipCompressionMeta: boolean) => teardown(r, storage, { options: { skipCompressionMeta, skipDatabaseBackup: true }, now: steppingClock() });
    const latest = async () => (await readdir(metaDir)).filter((n) => n.startsWith('books_latest.csv'));

    expect((await teardownWith(false)).ok).toBe(true);
    expect(await latest()).toEqual(['books_latest.csv.gz']);
    expect((await teardownWith(true)).ok).toBe(true);
    expect(await latest()).toEqual(['books_latest.csv']);
    expect(await readFile(join(metaDir, 'books_latest.csv'), 'utf8')).toBe(await readFile(join(r.runDir, 'books_export.csv'), 'utf8'));
    expect((await teardownWith(false)).ok).toBe(true);
    expect(await latest()).toEqual(['books_latest.csv.gz']);
    expect(gunzipSync(await readFile(join(metaDir, 'books_latest.csv.gz'))).toString()).toBe(await readFile(join(r.runDir, 'books_export.csv'), 'utf8'));
  });

  it('an earlier books_latest variant that cannot be removed fails the CSV item: a stale latest is not hidden', async () => {
    const r = await run({ books: 5 });
    const { storage, metaDir } = storageFor(r);
    // A non-empty directory in the way: unlink fails on it.
    await mkdir(join(metaDir, 'books_latest.csv.gz', 'x'), { recursive: true });
    const report = await teardown(r, storage, { options: { skipCompressionMeta: true, skipDatabaseBackup: true }, now: steppingClock() });
    expect(report.ok).toBe(false);
    expect(item(report, 'csv_latest')).toMatchObject({
      ok: false,
      error: { code: 'storage_write_failed', message: expect.stringContaining('the earlier books_latest.csv.gz could not be removed (it is stale)') },
    });
    expect(item(report, 'csv_timestamped')).toMatchObject({ ok: true });
    expect(existsSync(join(metaDir, 'books_latest.csv'))).toBe(true);
  });

  it('without storage writes the local files only', async () => {
    const r = await run({ books: 10 });
    const report = await teardown(r, null);
    expect(report.ok).toBe(true);
    expect(report.items.filter((i) => i.skipped === 'no_storage').map((i) => i.name)).toEqual([
      'csv_latest',
      'csv_timestamped',
      'database_backup',
      'database_latest',
      'database_timestamped',
      'process_summary_upload',
    ]);
    expect(existsSync(join(r.runDir, 'books_export.csv'))).toBe(true);
    expect(existsSync(join(r.runDir, 'process_summary.json'))).toBe(true);
  });

  it('a hard stop before the teardown reports every item as not done and writes nothing', async () => {
    const r = await run({ books: 10 });
    const { storage, metaDir } = storageFor(r);
    const stop = new AbortController();
    stop.abort();
    const report = await teardown(r, storage, { signal: stop.signal });
    expect(report.ok).toBe(false);
    expect(report.items.every((i) => !i.ok && i.error?.code === 'aborted')).toBe(true);
    expect(existsSync(join(r.runDir, 'books_export.csv'))).toBe(false);
    expect(existsSync(join(r.runDir, 'process_summary.json'))).toBe(false);
    expect(existsSync(metaDir)).toBe(false);
    expect(teardownError(report)).toMatchObject({ code: 'teardown_failed' });
  });

  it('reports a failing step and still does the others (CSV export into a missing directory)', async () => {
    const r = await run({ books: 10 });
    const { storage, metaDir } = storageFor(r);
    const report = await teardown(r, storage, { runDir: join(r.runDir, 'missing'), now: steppingClock() });
    expect(report.ok).toBe(false);
    expect(item(report, 'csv_export')).toMatchObject({ ok: false, error: { code: 'ENOENT' } });
    expect(item(report, 'csv_latest')).toMatchObject({ ok: false, error: { code: 'not_attempted' } });
    expect(item(report, 'database_latest')?.ok).toBe(true);
    expect(existsSync(join(metaDir, 'books_latest.db.gz'))).toBe(true);
    const error = teardownError(report);
    expect(error?.message).toMatch(/^teardown completed with errors: csv_export \(ENOENT: /);
  });
});
