import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalogue } from '@grin/books';
import { startArchiveProxy, type ArchiveProxy } from '../helpers/archive-proxy.js';
import { checkLocalSynced, listFiles, startHarness, type Harness } from '../helpers/sync-harness.js';

let h: Harness;
let proxy: ArchiveProxy;

beforeAll(async () => {
  h = await startHarness({ books: 40 });
  proxy = await startArchiveProxy(h.sim.url);
}, 60_000);

afterAll(async () => {
  await proxy?.close();
  await h?.close();
});

describe('a corrupt archive in a run', { timeout: 90_000 }, () => {
  it('fails at decrypt with the integrity reason after its retries, stores nothing for it, and the run goes on', async () => {
    const [damaged, ...good] = h.converted(4) as [string, ...string[]];
    // GRIN's real archive with one byte flipped in the middle of the encrypted data.
    const encrypted = Buffer.from(await readFile((await h.sim.library.archive(damaged)).encryptedPath));
    const at = Math.floor(encrypted.length / 2);
    encrypted[at] = (encrypted[at] as number) ^ 0xff;
    proxy.serve(damaged, { encrypted, etag: 'damaged-etag-1' });

    const storage = join(h.workDir, 'store-corrupt');
    const grinArgs = h.grinArgs.map((a) => (a === h.sim.grinBaseUrl ? proxy.grinBaseUrl : a));
    const run = await h.run(['--run-name', 'corrupt', '--barcodes', [damaged, ...good].join(','), ...grinArgs, '--storage', 'local', '--storage-path', storage]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('4 selected, 3 synced, 0 skipped, 0 not available on GRIN, 1 failed');
    expect(run.stdout).toMatch(new RegExp(`${damaged} \\(decrypt\\): .*integrity`));
    expect(run.stdout).toContain('hint: the archive was modified or damaged in transit');
    // Damage in transit may not repeat: the transfer is retried (4 attempts), then given up.
    expect(proxy.gets(damaged)).toBe(4);
    expect((await listFiles(join(storage, 'raw'))).filter((f) => f.startsWith(`${damaged}/`))).toEqual([]);
    expect(await checkLocalSynced(h, 'corrupt', storage, good)).toEqual([]);

    const catalogue = openCatalogue(join(h.runDir('corrupt'), 'books.db'), { readonly: true });
    try {
      expect(catalogue.isSynced(damaged)).toBe(false);
      expect(catalogue.getBook(damaged)?.sync_error).toContain('decrypt_integrity');
      const history = catalogue.getStatusHistory(damaged, 'sync').map((e) => e.statusValue);
      expect(history.filter((v) => v === 'decrypt_failed')).toHaveLength(4);
      expect(history.at(-1)).toBe('failed');
    } finally {
      catalogue.close();
    }
  });
});
