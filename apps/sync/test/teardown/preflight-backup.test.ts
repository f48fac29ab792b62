import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { BACKUPS_DIR, preflightBackup, RunRecordsError } from '../../src/teardown/index.js';
import { countBooksInSnapshot, makeRun, steppingClock, type RunFixture } from './run-fixtures.js';

let runs: RunFixture[] = [];
afterEach(async () => {
  await Promise.all(runs.map((r) => r.cleanup()));
  runs = [];
});

describe('preflightBackup', () => {
  it('writes output/RUN/backups/books_backup_TS.db and keeps the 10 newest', async () => {
    const r = await makeRun({ books: 25 });
    runs.push(r);
    const dir = join(r.runDir, BACKUPS_DIR);
    const clock = steppingClock();
    const written: string[] = [];
    for (let i = 0; i < 12; i++) {
      const result = await preflightBackup({ catalogue: r.catalogue, runDir: r.runDir, now: clock });
      written.push(result.path);
      if (i < 10) expect(result.removed).toEqual([]);
      else expect(result.removed).toEqual([written[i - 10]]);
    }
    expect(written[0]).toBe(join(dir, 'books_backup_20250304_050607.db'));
    await writeFile(join(dir, 'notes.txt'), 'keep me');
    const names = (await readdir(dir)).sort();
    expect(names).toEqual([...written.slice(2).map((p) => p.slice(dir.length + 1)), 'notes.txt'].sort());
    // A plain backup restores by copying: it is a complete catalogue.
    expect(await countBooksInSnapshot(gzipSync(await readFile(written[11]!)), r.root)).toBe(25);
  });

  it('can gzip, and reports a failure with a stable code', async () => {
    const r = await makeRun({ books: 5 });
    runs.push(r);
    const gz = await preflightBackup({ catalogue: r.catalogue, runDir: r.runDir, gzip: true, keep: 1, now: steppingClock() });
    expect(gz.path.endsWith('.db.gz')).toBe(true);
    expect(await countBooksInSnapshot(await readFile(gz.path), r.root)).toBe(5);

    await writeFile(join(r.root, 'a-file'), 'x');
    const error = await preflightBackup({ catalogue: r.catalogue, runDir: join(r.root, 'a-file') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunRecordsError);
    expect(error).toMatchObject({ code: 'backup_failed', retryable: true });
    expect(existsSync(join(r.root, 'a-file', BACKUPS_DIR))).toBe(false);
  });
});
