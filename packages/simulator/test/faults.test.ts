import { describe, expect, it } from 'vitest';
import type { FaultRule, SimulatedBook, SimulatorOptions } from '../src/index.js';
import { dechunk, rawRequest, startTestSim, type TestSim } from './helpers/http.js';
import { useTestSims } from './helpers/testSims.js';

const startSim = useTestSims();

function sim(faults: FaultRule[], extra: SimulatorOptions = {}): Promise<TestSim> {
  return startSim({ books: 600, seed: 50, ...extra, faults });
}

function converted(t: TestSim): SimulatedBook {
  for (const b of t.sim.library.listing('_converted')) return b;
  throw new Error('no converted book');
}

const auth = (t: TestSim): Record<string, string> => ({ Authorization: `Bearer ${t.token}` });
const lastFaults = (t: TestSim): string[] => t.sim.requestLog().at(-1)?.faults ?? [];

describe('fault injection', () => {
  it('status faults honour times, skip, Retry-After and per-endpoint matching', async () => {
    const t = await sim([
      { endpoint: 'listing', kind: 'status-503', times: 2, skip: 1, retryAfterSeconds: 7 },
      { endpoint: 'process', kind: 'status-500' },
      { endpoint: 'token', kind: 'status-429', times: 1, retryAfterSeconds: 3 },
    ]);
    const page = t.lib('_all_books?result_count=10');
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push(await t.get(page));
    expect(statuses.map((r) => r.status)).toEqual([200, 503, 503, 200]);
    expect(statuses[1]!.headers['retry-after']).toBe('7');
    expect((await t.get(t.lib('_process?barcodes=X'))).status).toBe(500);
    expect((await t.get(`${t.lib('')}?format=text&result_count=1`)).status).toBe(200);
    const token = await fetch(t.sim.tokenUrl, { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token' }) });
    expect(token.status).toBe(429);
    expect(token.headers.get('retry-after')).toBe('3');
    const stats = t.sim.stats();
    expect(stats.faultsApplied).toEqual({ 'status-503': 2, 'status-500': 1, 'status-429': 1 });
    expect(stats.listingPages.map((p) => p.status)).toEqual([200, 503, 503, 200]);
  });

  it('matches by page number, barcode and list, and can be changed at runtime', async () => {
    const t = await sim([{ endpoint: 'listing', kind: 'unavailable-page', match: { pageNumber: 2, list: '_all_books' } }]);
    expect((await t.get(t.lib('_all_books?result_count=100'))).text).not.toContain('Your request is unavailable');
    const unavailable = await t.get(t.lib('_all_books?result_count=100&first=100'));
    expect(unavailable.status).toBe(200);
    expect(unavailable.text).toContain('Your request is unavailable');
    expect(lastFaults(t)).toEqual(['unavailable-page']);
    expect((await t.get(t.lib('_converted?result_count=100&first=100'))).text).not.toContain('unavailable');

    const book = converted(t);
    t.sim.setFaults([{ endpoint: 'archive-head', kind: 'status-503', match: { barcode: book.barcode } }]);
    expect((await t.get(t.lib('_all_books?result_count=100&first=100'))).status).toBe(200);
    expect((await t.get(t.lib(`${book.barcode}.tar.gz.gpg`), { method: 'HEAD' })).status).toBe(503);
    expect((await t.get(t.lib(`${book.barcode}.tar.gz.gpg`))).status).toBe(200);
    t.sim.setFaults([]);
    expect((await t.get(t.lib(`${book.barcode}.tar.gz.gpg`), { method: 'HEAD' })).status).toBe(200);
  });

  it('expired-cursor affects only requests that carry a cursor', async () => {
    const t = await sim([{ endpoint: 'listing', kind: 'expired-cursor', times: 1 }], { nextLinkStyle: 'ctoken' });
    expect((await t.get(t.lib('_all_books?result_count=100'))).status).toBe(200);
    const expired = await t.get(t.lib('_all_books?result_count=100&first=100'));
    expect(expired.status).toBe(400);
    expect(expired.text).toContain('expired');
    expect((await t.get(t.lib('_all_books?result_count=100&first=100'))).status).toBe(200);
  });

  it('latency and bandwidth delay the response without changing it', async () => {
    const t = await sim([
      { endpoint: 'probe', kind: 'latency', latencyMs: 250 },
      { endpoint: 'archive-get', kind: 'bandwidth', bytesPerSecond: 64 * 1024 },
    ]);
    let started = Date.now();
    expect((await t.get(`${t.lib('')}?format=text&result_count=1`)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
    const book = converted(t);
    const truth = await t.sim.library.archive(book.barcode);
    started = Date.now();
    const res = await t.get(t.lib(`${book.barcode}.tar.gz.gpg`));
    const minimum = (truth.encryptedSize / (64 * 1024)) * 1000;
    expect(Date.now() - started).toBeGreaterThanOrEqual(minimum * 0.8);
    expect(res.body.length).toBe(truth.encryptedSize);
    expect(lastFaults(t)).toEqual(['bandwidth']);
  });

  it('reset-mid-body destroys the connection after part of the body', async () => {
    const t = await sim([{ endpoint: 'archive-get', kind: 'reset-mid-body', afterBytes: 4096 }]);
    const book = converted(t);
    const truth = await t.sim.library.archive(book.barcode);
    const raw = await rawRequest(t.sim.url, t.lib(`${book.barcode}.tar.gz.gpg`), auth(t));
    expect(raw.status).toBe(200);
    expect(Number(raw.headers['content-length'])).toBe(truth.encryptedSize);
    expect(raw.body.length).toBeLessThan(truth.encryptedSize);
    expect(t.sim.requestLog().at(-1)).toMatchObject({ faults: ['reset-mid-body'], aborted: true, status: 200 });
  });

  it('truncate-body closes cleanly although Content-Length announced more, also on generated pages', async () => {
    const t = await sim([{ endpoint: 'listing', kind: 'truncate-body' }]);
    const raw = await rawRequest(t.sim.url, t.lib('_all_books?result_count=200'), auth(t));
    expect(raw.error).toBeUndefined();
    const announced = Number(raw.headers['content-length']);
    expect(announced).toBeGreaterThan(10_000);
    expect(raw.body.length).toBe(Math.floor(announced / 2));
    expect(raw.body.toString('utf8')).not.toContain('</html>');
  });

  it('wrong-content-length announces a length different from the body', async () => {
    const t = await sim([
      { endpoint: 'text-list', kind: 'wrong-content-length' },
      { endpoint: 'archive-head', kind: 'wrong-content-length', contentLengthDelta: 1000 },
    ]);
    const raw = await rawRequest(t.sim.url, t.lib('_converted?format=text'), auth(t));
    const announced = Number(raw.headers['content-length']);
    expect(raw.body.length).toBeGreaterThan(announced);
    expect(raw.headers['connection']).toBe('close');
    const book = converted(t);
    const truth = await t.sim.library.archive(book.barcode);
    const head = await t.get(t.lib(`${book.barcode}.tar.gz.gpg`), { method: 'HEAD' });
    expect(Number(head.headers['content-length'])).toBe(truth.encryptedSize + 1000);
  });

  it('slow-drip sends small chunks with pauses and still completes', async () => {
    const t = await sim([{ endpoint: 'listing', kind: 'slow-drip', chunkBytes: 1024, bytesPerSecond: 100 * 1024, times: 1 }]);
    const path = t.lib('_all_books?result_count=40');
    const dripped = await rawRequest(t.sim.url, path, auth(t));
    const normal = await rawRequest(t.sim.url, path, auth(t));
    expect(dripped.reads).toBeGreaterThan(3);
    expect(dechunk(dripped.body).toString('utf8')).toBe(dechunk(normal.body).toString('utf8'));
    expect(dechunk(normal.body).toString('utf8')).toContain('</html>');
    expect(t.sim.stats().faultsApplied).toEqual({ 'slow-drip': 1 });
  });

  it('probability is seeded: the same seed injects the same requests', async () => {
    const pattern = async (): Promise<number[]> => {
      const t = await sim([{ endpoint: 'probe', kind: 'status-500', probability: 0.5 }]);
      const out: number[] = [];
      for (let i = 0; i < 30; i++) out.push((await t.get(`${t.lib('')}?format=text&result_count=1`)).status);
      return out;
    };
    const a = await pattern();
    const b = await pattern();
    expect(a).toEqual(b);
    const failures = a.filter((s) => s === 500).length;
    expect(failures).toBeGreaterThan(5);
    expect(failures).toBeLessThan(25);
  });

  it('pageLatencyMs and latency faults wait through the injected sleep', async () => {
    const waits: number[] = [];
    const t = await sim([{ endpoint: 'barcode-search', kind: 'latency', latencyMs: 1234 }], {
      pageLatencyMs: 200,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    await t.get(t.lib('_all_books?result_count=5'));
    await t.get(t.lib('_converted?result_count=5'));
    await t.get(`${t.lib('')}?format=text&result_count=1`);
    expect(waits).toEqual([200, 200]);
    await t.get(`${t.lib('_barcode_search')}?execute_query=true&format=text&barcodes=X`);
    expect(waits).toEqual([200, 200, 1234]);
  });

  it('rejects unknown fault kinds', async () => {
    await expect(startTestSim({ faults: [{ endpoint: 'any', kind: 'explode' as FaultRule['kind'] }] })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
  });
});
