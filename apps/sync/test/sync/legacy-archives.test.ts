import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalogue } from '@grin/books';
import { listFiles, startHarness, type Harness } from '../helpers/sync-harness.js';

// Every archive of this simulated library is encrypted GnuPG 1.x style: CAST5, no integrity packet.
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ books: 30, legacyCipherFraction: 1 });
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('legacy archives (CAST5 without integrity packet)', { timeout: 90_000 }, () => {
  it('are refused by default with the reason and the flag that accepts them; nothing is stored', async () => {
    const barcodes = h.converted(2);
    const storage = join(h.workDir, 'store-refused');
    const result = await h.run(['--run-name', 'refused', '--barcodes', barcodes.join(','), ...h.grinArgs, '--storage', 'local', '--storage-path', storage]);
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).toContain('--allow-legacy-without-integrity');
    expect(await listFiles(join(storage, 'raw'))).toEqual([]);
    const catalogue = openCatalogue(join(h.runDir('refused'), 'books.db'), { readonly: true });
    try {
      expect(catalogue.countBooks({ synced: true })).toBe(0);
      expect(catalogue.getBook(barcodes[0] as string)?.sync_error).toContain('decrypt_legacy_refused');
    } finally {
      catalogue.close();
    }
  });

  it('with --allow-legacy-without-integrity: synced, and the catalogue records them as not integrity-protected', async () => {
    const barcodes = h.converted(2);
    const storage = join(h.workDir, 'store-accepted');
    const result = await h.run(['--run-name', 'accepted', '--barcodes', barcodes.join(','), ...h.grinArgs, '--storage', 'local', '--storage-path', storage, '--allow-legacy-without-integrity']);
    expect(result.code).toBe(0);
    expect(result.stdout + result.stderr).toContain('accepted without integrity protection');
    const catalogue = openCatalogue(join(h.runDir('accepted'), 'books.db'), { readonly: true });
    try {
      expect(catalogue.countBooks({ synced: true })).toBe(2);
      for (const barcode of barcodes) {
        const decrypted = catalogue.getStatusHistory(barcode, 'sync').find((e) => e.statusValue === 'decrypted');
        expect(decrypted?.metadata).toMatchObject({ cipher: 'CAST5', integrity_protected: false });
      }
    } finally {
      catalogue.close();
    }
  });
});
