import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalogue } from '@grin/books';
import { listFiles, startHarness, type Harness } from '../helpers/sync-harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ books: 80 });
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('failures', { timeout: 90_000 }, () => {
  it('wrong passphrase: volumes fail with a clear reason, the run stops at the threshold with exit 8, nothing is stored', async () => {
    const barcodes = h.converted(24);
    const wrong = join(h.workDir, 'wrong_passphrase.asc');
    await writeFile(wrong, 'not the library passphrase\n', { mode: 0o600 });
    const storage = join(h.workDir, 'store-wrong');
    const args = h.grinArgs.map((a) => (a === h.passphraseFile ? wrong : a));
    const result = await h.run(['--run-name', 'wrong', '--barcodes', barcodes.join(','), ...args, '--storage', 'local', '--storage-path', storage, '--max-consecutive-failures', '3', '--download-concurrency', '2', '--workers', '2']);
    expect(result.code).toBe(8);
    expect(result.stderr).toMatch(/error: stopped after \d+ volumes failed in a row; the last one, \w+, failed at decrypt: wrong passphrase/);
    expect(result.stderr).toContain('hint: check the passphrase file');
    const failed = Number(/(\d+) failed/.exec(result.stdout)?.[1]);
    expect(failed).toBeGreaterThanOrEqual(3);
    expect(failed).toBeLessThan(barcodes.length); // it stopped, the rest were not started
    expect(result.stdout).toMatch(/\d+ not started/);
    expect(await listFiles(join(storage, 'raw'))).toEqual([]);
    // The teardown ran after the failure stop: the run records are complete.
    expect(existsSync(join(h.runDir('wrong'), 'books_export.csv'))).toBe(true);
    const summary = JSON.parse(await readFile(join(h.runDir('wrong'), 'process_summary.json'), 'utf8')) as { stages: { sync: { status: string; totals: { failed: number } } } };
    expect(summary.stages.sync.status).toBe('failed');
    expect(summary.stages.sync.totals.failed).toBe(failed);
    expect(await listFiles(join(storage, 'meta', 'wrong'))).toEqual(expect.arrayContaining(['books_latest.csv.gz', 'books_latest.db.gz', 'process_summary.json.gz']));

    const catalogue = openCatalogue(join(h.runDir('wrong'), 'books.db'), { readonly: true });
    try {
      const first = barcodes[0] as string;
      expect(catalogue.getStatusHistory(first, 'sync').map((e) => e.statusValue)).toEqual(['decrypt_failed', 'failed']);
      expect(catalogue.getBook(first)?.sync_error).toContain('decrypt_bad_passphrase');
      expect(catalogue.countBooks({ synced: true })).toBe(0);
      expect(catalogue.listSessions('sync')[0]?.status).toBe('failed');
    } finally {
      catalogue.close();
    }
  });

  it('a missing passphrase file is a configuration error (exit 3) found before any download', async () => {
    const seq = h.seq();
    const args = h.grinArgs.map((a) => (a === h.passphraseFile ? join(h.workDir, 'nope.asc') : a));
    const result = await h.run(['--run-name', 'nopass', '--barcodes', h.converted(1).join(','), ...args, '--storage', 'local', '--storage-path', join(h.workDir, 'x')]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('does not exist');
    expect(result.stderr).toContain('hint: pass --passphrase-file');
    expect(h.downloads(seq).size).toBe(0);
  });

  it('no storage configured: exit 3 with a hint', async () => {
    const result = await h.run(['--run-name', 'nostore', '--barcodes', h.converted(1).join(','), ...h.grinArgs]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('no storage configured');
    expect(existsSync(join(h.runDir('nostore'), 'books.db'))).toBe(false);
  });
});
