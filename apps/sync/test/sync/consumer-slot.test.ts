import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalogue } from '@grin/books';
import type { ConsumerRun, PlaintextConsumer } from '../../src/stages/plaintext-consumer.js';
import { checkLocalSynced, instantSleep, startHarness, type Harness } from '../helpers/sync-harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ books: 60 });
}, 60_000);

afterAll(async () => {
  await h?.close();
});

/** A consumer (the slot extraction uses) that hashes the plaintext it is given beside the store. */
function hashingConsumer(results: Map<string, string>, failFor?: string): PlaintextConsumer {
  return {
    name: 'hash',
    start(volume): ConsumerRun {
      const hash = createHash('sha256');
      let ended = false;
      const sink = new Writable({
        write(chunk: Buffer, _enc, cb) {
          hash.update(chunk);
          cb();
        },
        final(cb) {
          ended = true;
          cb();
        },
      });
      return {
        sink,
        async complete() {
          if (!ended) throw new Error('complete() before the stream ended');
          if (volume.barcode === failFor) throw Object.assign(new Error('simulated extraction failure'), { code: 'test_failure', hint: 'none', retryable: false });
          results.set(volume.barcode, hash.digest('hex'));
        },
        async discard() {
          results.delete(volume.barcode);
        },
      };
    },
  };
}

describe('consumers on the decrypted stream (the extraction slot)', { timeout: 60_000 }, () => {
  it('each consumer sees exactly the stored plaintext; a failing consumer fails its volume (not synced) and the run exits 1', async () => {
    const barcodes = h.converted(4);
    const failing = barcodes[1] as string;
    const results = new Map<string, string>();
    const storage = join(h.workDir, 'store-consumer');
    const args = ['--run-name', 'consumer', '--barcodes', barcodes.join(','), ...h.grinArgs, '--storage', 'local', '--storage-path', storage, '--skip-extract-marc', '--skip-extract-ocr'];
    const run = await h.run(args, { consumers: [hashingConsumer(results, failing)], tuning: { sleep: instantSleep, retryBaseDelayMs: 1 } });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('3 synced, 0 skipped, 0 not available on GRIN, 1 failed');
    expect(run.stdout).toContain(`${failing} (extract): ${failing}: hash failed: simulated extraction failure`);
    for (const b of barcodes.filter((x) => x !== failing)) expect(results.get(b)).toBe((await h.sim.library.archive(b)).plaintextSha256);
    const catalogue = openCatalogue(join(h.runDir('consumer'), 'books.db'), { readonly: true });
    try {
      expect(catalogue.isSynced(failing)).toBe(false);
      expect(catalogue.latestStatus(failing, 'sync')?.metadata).toMatchObject({ step: 'extract' });
    } finally {
      catalogue.close();
    }

    // The next run gives the consumers the failed volume again — read back from storage, where its
    // verified archive already is (no download) — and skips the rest.
    const seq = h.seq();
    const again = await h.run(args, { consumers: [hashingConsumer(results)] });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('1 synced, 3 skipped (etag_match 3)');
    expect(again.stdout).toContain('1 read back from storage for extraction');
    expect([...h.downloads(seq).keys()]).toEqual([]);
    expect(results.get(failing)).toBe((await h.sim.library.archive(failing)).plaintextSha256);
    expect(await checkLocalSynced(h, 'consumer', storage, barcodes)).toEqual([]);
  });
});
