import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalogue } from '@grin/books';
import { checkLocalSynced, instantSleep, startHarness, type FaultRule, type Harness } from '../helpers/sync-harness.js';
import { waitFor } from '../helpers/wait.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ books: 60 });
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('faults on GRIN', { timeout: 90_000 }, () => {
  it('429 + Retry-After, 503, reset mid-body, truncated body, wrong Content-Length, slow drip, a stall: every volume ends stored and correct', async () => {
    const barcodes = h.converted(8);
    const [b429, b503, bReset, bTrunc, bLength, bDrip, bStall, bPlain] = barcodes as [string, string, string, string, string, string, string, string];
    const rules: FaultRule[] = [
      { endpoint: 'archive-get', kind: 'status-429', retryAfterSeconds: 30, times: 2, match: { barcode: b429 } },
      { endpoint: 'archive-get', kind: 'status-503', times: 3, match: { barcode: b503 } },
      { endpoint: 'archive-get', kind: 'reset-mid-body', times: 2, match: { barcode: bReset } },
      { endpoint: 'archive-get', kind: 'truncate-body', times: 1, match: { barcode: bTrunc } },
      { endpoint: 'archive-get', kind: 'wrong-content-length', times: 1, match: { barcode: bLength } },
      // ~1.5 s in 512-byte drips: longer than the 1 s stall timeout, but never silent for 1 s.
      { endpoint: 'archive-get', kind: 'slow-drip', bytesPerSecond: 32 * 1024, times: 1, match: { barcode: bDrip } },
      // Headers withheld longer than the stall timeout: a stall, retried.
      { endpoint: 'archive-get', kind: 'latency', latencyMs: 2_500, times: 1, match: { barcode: bStall } },
    ];
    h.sim.setFaults(rules);
    const storage = join(h.workDir, 'store-faults');
    const seq = h.seq();
    const result = await h.run(['--run-name', 'faults', '--barcodes', barcodes.join(','), ...h.grinArgs, '--storage', 'local', '--storage-path', storage], {
      tuning: { sleep: instantSleep, retryBaseDelayMs: 1, idleTimeoutMs: 1_000, progressIntervalMs: 50 },
    });
    h.sim.setFaults([]);
    expect(result.stdout).toContain('8 synced, 0 skipped, 0 not available on GRIN, 0 failed');
    expect(result.code).toBe(0);
    expect(await checkLocalSynced(h, 'faults', storage, barcodes)).toEqual([]);

    const gets = h.downloads(seq);
    expect(gets.get(b429)).toBe(3);
    expect(gets.get(b503)).toBe(4);
    expect(gets.get(bReset)).toBe(3);
    expect(gets.get(bTrunc)).toBe(2);
    expect(gets.get(bLength)).toBe(2);
    expect(gets.get(bDrip)).toBe(1); // a slow transfer is not a stalled one
    expect(gets.get(bStall)).toBe(2);
    expect(gets.get(bPlain)).toBe(1);
    expect(h.sim.stats().faultsApplied).toMatchObject({ 'status-429': 2, 'status-503': 3, 'reset-mid-body': 2, 'truncate-body': 1, 'wrong-content-length': 1, 'slow-drip': 1, latency: 1 });

    // Failed attempts of mid-body failures are in the history; the volume still ends synced once.
    const catalogue = openCatalogue(join(h.runDir('faults'), 'books.db'), { readonly: true });
    try {
      const history = catalogue.getStatusHistory(bReset, 'sync').map((e) => e.statusValue);
      expect(history).toEqual(['download_failed', 'download_failed', 'downloaded', 'decrypted', 'stored', 'synced']);
    } finally {
      catalogue.close();
    }
  });

  it('a fault on the check (HEAD) of stored volumes is retried too', async () => {
    const barcodes = h.converted(10).slice(8, 10);
    const storage = join(h.workDir, 'store-head');
    const first = await h.run(['--run-name', 'head', '--barcodes', barcodes.join(','), ...h.grinArgs, '--storage', 'local', '--storage-path', storage]);
    expect(first.code).toBe(0);
    h.sim.setFaults([{ endpoint: 'archive-head', kind: 'status-503', times: 2 }, { endpoint: 'archive-head', kind: 'reset-mid-body', times: 1 }]);
    const second = await h.run(['--run-name', 'head', '--barcodes', barcodes.join(','), ...h.grinArgs]);
    h.sim.setFaults([]);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('0 synced, 2 skipped (etag_match 2)');
  });

  it('GRIN ETag changing between HEAD and GET: the GET is dropped, the volume re-checked and the new version stored', async () => {
    const [barcode] = h.converted(11).slice(10) as [string];
    const storage = join(h.workDir, 'store-etag');
    const args = ['--run-name', 'etag', '--barcodes', barcode, ...h.grinArgs, '--storage', 'local', '--storage-path', storage];
    expect((await h.run(args)).code).toBe(0);
    await h.sim.replaceArchive(barcode); // the HEAD of the next run sees this version...
    h.sim.setFaults([{ endpoint: 'archive-get', kind: 'latency', latencyMs: 1_500, times: 1, match: { barcode } }]);
    const seq = h.seq();
    const running = h.run(args);
    // ...and while its GET waits, the archive is replaced again.
    await waitFor(() => h.sim.requestLog().some((r) => r.seq > seq && r.endpoint === 'archive-get' && r.barcode === barcode), 'the GET');
    await h.sim.replaceArchive(barcode);
    const result = await running;
    h.sim.setFaults([]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('1 synced');
    expect(result.stderr).toContain('etag_changed');
    const requests = h.sim.requestLog().filter((r) => r.seq > seq && r.barcode === barcode).map((r) => r.endpoint);
    expect(requests).toEqual(['archive-head', 'archive-get', 'archive-head', 'archive-get']);
    expect(await checkLocalSynced(h, 'etag', storage, [barcode])).toEqual([]);
  });
});
