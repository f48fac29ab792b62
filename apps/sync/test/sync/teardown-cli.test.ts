import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/teardown/index.js';
import { listFiles, startHarness, type Harness } from '../helpers/sync-harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ books: 40 });
}, 60_000);

afterAll(async () => {
  await h?.close();
});

async function summaryOf(run: string): Promise<RunSummary> {
  return JSON.parse(await readFile(join(h.runDir(run), 'process_summary.json'), 'utf8')) as RunSummary;
}

describe('teardown through the CLI', { timeout: 60_000 }, () => {
  it('--skip-csv-export --skip-database-backup: only the summary is written (and uploaded)', async () => {
    const storage = join(h.workDir, 'store-skip');
    const r = await h.run(['--run-name', 'skip', '--barcodes', h.converted(2).join(','), '--skip-csv-export', '--skip-database-backup', ...h.grinArgs, '--storage', 'local', '--storage-path', storage]);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(h.runDir('skip'), 'books_export.csv'))).toBe(false);
    expect(existsSync(join(h.runDir('skip'), 'backups'))).toBe(false);
    expect(await listFiles(join(storage, 'meta'))).toEqual(['skip/process_summary.json.gz']);
    const summary = await summaryOf('skip');
    expect(summary.teardown?.items.map((i) => [i.name, i.ok, i.skipped ?? null])).toEqual([
      ['csv_export', true, 'skip_csv_export'],
      ['csv_latest', true, 'skip_csv_export'],
      ['csv_timestamped', true, 'skip_csv_export'],
      ['database_backup', true, 'skip_database_backup'],
      ['database_latest', true, 'skip_database_backup'],
      ['database_timestamped', true, 'skip_database_backup'],
    ]);
    expect(summary.stages['sync']).toMatchObject({ status: 'completed', totals: { succeeded: 2 } });
  });

  it('a teardown failure is reported and gives exit 1, the sync itself stays recorded', async () => {
    const storage = join(h.workDir, 'store-tdfail');
    // The CSV copy cannot be stored: a directory sits where meta/RUN/books_latest.csv.gz must go.
    await mkdir(join(storage, 'meta', 'tdfail', 'books_latest.csv.gz'), { recursive: true });
    await writeFile(join(storage, 'meta', 'tdfail', 'books_latest.csv.gz', 'in-the-way'), 'x');
    const r = await h.run(['--run-name', 'tdfail', '--barcodes', h.converted(4).slice(2).join(','), ...h.grinArgs, '--storage', 'local', '--storage-path', storage]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain('2 synced, 0 skipped, 0 not available on GRIN, 0 failed');
    expect(r.stdout).toContain('FAILED: csv_latest');
    expect(r.stderr).toContain('error: teardown completed with errors: csv_latest');
    expect(r.stderr).toContain('hint:');
    // What could be written locally was written, and says the teardown had errors.
    expect(existsSync(join(h.runDir('tdfail'), 'books_export.csv'))).toBe(true);
    const summary = await summaryOf('tdfail');
    expect(summary.has_errors).toBe(true);
    expect(summary.stages['sync']).toMatchObject({ status: 'completed', totals: { succeeded: 2 } });
    expect(summary.teardown?.items.filter((i) => !i.ok).map((i) => i.name)).toEqual(['csv_latest']);
    // The other records were written.
    expect(await listFiles(join(storage, 'meta', 'tdfail'))).toEqual(expect.arrayContaining(['books_latest.db.gz', 'process_summary.json.gz']));
  });
});
