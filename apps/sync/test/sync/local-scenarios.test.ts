import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalogue } from '@grin/books';
import { checkLocalSynced, startHarness, type Harness } from '../helpers/sync-harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ books: 60 });
}, 60_000);

afterAll(async () => {
  await h?.close();
});

function storageArgs(dir: string): string[] {
  return ['--storage', 'local', '--storage-path', dir];
}

describe('sync to local storage', { timeout: 60_000 }, () => {
  it('converted queue: stores every volume, then skips all by ETag, re-syncs a changed ETag, --force re-syncs all', async () => {
    const storage = join(h.workDir, 'store-converted');
    const barcodes = h.converted(6);
    const first = await h.run(['--run-name', 'conv', '--queue', 'converted', '--limit', '6', ...h.grinArgs, ...storageArgs(storage)]);
    expect(first.stderr).toContain('6 barcode(s) were not in the catalogue (collect never saw them) and got a row');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('6 synced');
    expect(await checkLocalSynced(h, 'conv', storage, barcodes)).toEqual([]);

    // Second run: the storage settings come from run_config.json; every volume skipped by ETag.
    let seq = h.seq();
    const second = await h.run(['--run-name', 'conv', '--queue', 'converted', '--limit', '6', ...h.grinArgs]);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('0 synced, 6 skipped (etag_match 6)');
    expect(h.downloads(seq).size).toBe(0);

    // A new ETag on GRIN: exactly that volume is downloaded again.
    const changed = barcodes[2] as string;
    await h.sim.replaceArchive(changed);
    seq = h.seq();
    const third = await h.run(['--run-name', 'conv', '--queue', 'converted', '--limit', '6', ...h.grinArgs]);
    expect(third.code).toBe(0);
    expect(third.stdout).toContain('1 synced, 5 skipped');
    expect([...h.downloads(seq)]).toEqual([[changed, 1]]);
    expect(await checkLocalSynced(h, 'conv', storage, barcodes)).toEqual([]);

    // --force: everything again, once each.
    seq = h.seq();
    const forced = await h.run(['--run-name', 'conv', '--queue', 'converted', '--limit', '6', '--force', ...h.grinArgs]);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain('6 synced');
    expect([...h.downloads(seq).values()]).toEqual([1, 1, 1, 1, 1, 1]);
    expect(await checkLocalSynced(h, 'conv', storage, barcodes)).toEqual([]);

    const catalogue = openCatalogue(join(h.runDir('conv'), 'books.db'), { readonly: true });
    try {
      const history = catalogue.getStatusHistory(changed, 'sync').map((e) => e.statusValue);
      // run 1: downloaded..synced; run 2: skipped; run 3: checked (new ETag) ... synced; run 4: checked (force) ... synced
      expect(history).toEqual([
        'downloaded', 'decrypted', 'stored', 'synced',
        'skipped',
        'checked', 'downloaded', 'decrypted', 'stored', 'synced',
        'checked', 'downloaded', 'decrypted', 'stored', 'synced',
      ]);
      expect(catalogue.listSessions('sync').map((s) => s.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
    } finally {
      catalogue.close();
    }
  });

  it('--skip-synced: a rerun asks GRIN nothing about synced volumes, yet storage is still the truth', async () => {
    const storage = join(h.workDir, 'store-skip-synced');
    const barcodes = h.converted(12).slice(9, 12);
    const args = ['--run-name', 'skipsynced', '--barcodes', barcodes.join(','), ...h.grinArgs];
    const first = await h.run([...args, ...storageArgs(storage)]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('3 synced');

    const archiveRequests = (since: number): number =>
      h.sim.requestLog().filter((r) => r.seq > since && (r.endpoint === 'archive-head' || r.endpoint === 'archive-get')).length;
    let seq = h.seq();
    const second = await h.run([...args, '--skip-synced']);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('0 synced, 3 skipped (already_synced 3)');
    expect(archiveRequests(seq)).toBe(0);

    // A stored archive that went missing is not believed synced: it is downloaded again.
    const lost = barcodes[1] as string;
    await rm(join(storage, 'raw', lost), { recursive: true });
    seq = h.seq();
    const third = await h.run([...args, '--skip-synced']);
    expect(third.code).toBe(0);
    expect(third.stdout).toContain('1 synced, 2 skipped');
    expect([...h.downloads(seq)]).toEqual([[lost, 1]]);
    expect(await checkLocalSynced(h, 'skipsynced', storage, barcodes)).toEqual([]);

    const both = await h.run([...args, '--skip-synced', '--force']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--force and --skip-synced contradict each other');
  });

  it('--barcodes: stores the given volumes, adds catalogue rows collect never saw, reports an unavailable one without failing', async () => {
    const storage = join(h.workDir, 'store-list');
    const barcodes = h.converted(10).slice(6, 9);
    const notConverted = [...h.sim.library.listing('_all_books')].find((b) => !b.archiveAvailable)?.barcode as string;
    const result = await h.run(['--run-name', 'list', '--barcodes', [...barcodes, notConverted].join(','), ...h.grinArgs, ...storageArgs(storage)]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('3 synced, 0 skipped, 1 not available on GRIN, 0 failed');
    expect(await checkLocalSynced(h, 'list', storage, barcodes)).toEqual([]);
    const catalogue = openCatalogue(join(h.runDir('list'), 'books.db'), { readonly: true });
    try {
      expect(catalogue.countBooks()).toBe(4);
      const row = catalogue.latestStatus(notConverted, 'sync');
      expect(row?.statusValue).toBe('check_failed');
      expect(row?.metadata).toMatchObject({ reason: 'not_available', http_status_code: 404 });
      expect(catalogue.getBook(notConverted)?.sync_timestamp).toBeNull();
    } finally {
      catalogue.close();
    }
  });

  it('--barcodes-file (a file with comments and blank lines, and standard input)', async () => {
    const storage = join(h.workDir, 'store-file');
    const barcodes = h.converted(14).slice(10, 14);
    const file = join(h.workDir, 'barcodes.txt');
    await writeFile(file, `# volumes to fetch\n${barcodes[0]}\n\n${barcodes[1]}\r\n`);
    const fromFile = await h.run(['--run-name', 'file', '--barcodes-file', file, ...h.grinArgs, ...storageArgs(storage)]);
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout).toContain('2 synced');
    const fromStdin = await h.run(['--run-name', 'file', '--barcodes-file', '-', ...h.grinArgs], { stdinText: `${barcodes[2]}\n${barcodes[3]}\n${barcodes[0]}\n` });
    expect(fromStdin.code).toBe(0);
    expect(fromStdin.stdout).toContain('2 synced, 1 skipped (etag_match 1)');
    expect(await checkLocalSynced(h, 'file', storage, barcodes)).toEqual([]);
  });
});
