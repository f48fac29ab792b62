import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { csvRecords } from './csv-records.js';
import { databaseRecords } from './database-records.js';
import { formatRunTimestamp } from './run-timestamp.js';
import { summaryRecords } from './summary-records.js';
import { RunRecordsError } from './teardown-errors.js';
import type { TeardownInput, TeardownItem, TeardownReport } from './teardown-types.js';

/**
 * The run's closing records (reference 5.11-5.12, 9.3), each item attempted even when an earlier
 * one failed, each outcome reported (never thrown):
 * 1. `output/RUN/books_export.csv` + meta `books_latest.csv.gz`, `timestamped/TS_books.csv.gz`;
 * 2. a gzipped online-backup snapshot of the catalogue -> meta `books_latest.db.gz`,
 *    `timestamped/TS_books_latest.db.gz`;
 * 3. `output/RUN/process_summary.json` (with this teardown's items) + meta `process_summary.json.gz`.
 *
 * Meta objects go through `storage.putMeta`, i.e. `{meta bucket}/RUN/...` on S3 and
 * `{base}/meta/RUN/...` for local storage (the same names in both). Call it after the pipeline
 * settled, the status writers were closed and the session ended — also after an interrupted run.
 */
export async function runTeardown(input: TeardownInput): Promise<TeardownReport> {
  const now = input.now ?? (() => new Date());
  const options = input.options ?? {};
  const { signal } = input;
  const log = input.log ?? (() => {});
  const timestamp = formatRunTimestamp(now());
  const items: TeardownItem[] = [];
  const workDir = await makeWorkDir(options.tempDir ?? input.runDir);
  try {
    if (options.skipCsvExport) {
      for (const name of ['csv_export', 'csv_latest', 'csv_timestamped'] as const) items.push({ name, ok: true, skipped: 'skip_csv_export' });
    } else {
      items.push(
        ...(await csvRecords({
          catalogue: input.catalogue,
          storage: input.storage,
          runDir: input.runDir,
          workDir,
          timestamp,
          compress: !options.skipCompressionMeta,
          gzipLevel: options.csvGzipLevel ?? 6,
          signal,
        })),
      );
    }

    if (options.skipDatabaseBackup || input.storage === null) {
      const skipped = options.skipDatabaseBackup ? 'skip_database_backup' : 'no_storage';
      for (const name of ['database_backup', 'database_latest', 'database_timestamped'] as const) items.push({ name, ok: true, skipped });
    } else {
      items.push(...(await databaseRecords({ catalogue: input.catalogue, storage: input.storage, workDir, timestamp, signal })));
    }
  } finally {
    await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
  }

  const summary = await summaryRecords({
    catalogue: input.catalogue,
    storage: input.storage,
    runName: input.runName,
    runDir: input.runDir,
    now,
    before: items,
    signal,
  });
  items.push(...summary.items);
  for (const item of items) {
    if (!item.ok) log(`teardown: ${item.name} failed: ${item.error?.code ?? 'error'}: ${item.error?.message ?? ''}`);
  }
  return { ok: items.every((item) => item.ok), items, timestamp };
}

/** A private temp directory next to the run (same disk as the database); the system's as a fallback. */
async function makeWorkDir(base: string): Promise<string> {
  try {
    return await mkdtemp(join(base, '.teardown-'));
  } catch {
    return mkdtemp(join(tmpdir(), 'grin-teardown-'));
  }
}

/**
 * The error to end the command with when the teardown had failures (exit code `failures`: the
 * code is not in the CLI's map), or null when everything was ok.
 */
export function teardownError(report: TeardownReport): RunRecordsError | null {
  const failed = report.items.filter((item) => !item.ok);
  if (failed.length === 0) return null;
  const first = failed[0]?.error;
  return new RunRecordsError(
    'teardown_failed',
    `teardown completed with errors: ${failed.map((item) => `${item.name} (${item.error?.code ?? 'error'}: ${item.error?.message ?? ''})`).join('; ')}`,
    {
      hint:
        first?.hint ??
        'The sync itself is recorded in books.db; fix the cause (storage reachable, bucket exists, disk space) and rerun the command to write the run records again.',
      retryable: true,
    },
  );
}
