// Contract tests against @grin/simulator: every fault kind, and the 401 refresh.
import { createHash } from 'node:crypto';
import { startSimulator, type FaultRule, type RunningSimulator, type SimulatedBook } from '@grin/simulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createGrinClient,
  CursorRejectedError,
  NetworkError,
  NotFoundError,
  UnavailableError,
  type ClientEvent,
  type GrinClient,
  type GrinClientOptions,
} from '../src/index.js';
import { expectedRow } from './helpers/sim-truth.js';
import { makeTempDir } from './helpers/temp-dir.js';

const BOOKS = 3_000;
let sim: RunningSimulator;
let dir: { path: string; remove: () => Promise<void> };
let clients: GrinClient[] = [];
let converted: SimulatedBook[];
let notConverted: SimulatedBook;

beforeAll(async () => {
  sim = await startSimulator({ books: BOOKS, seed: 21, nextLinkStyle: 'ctoken' });
  dir = await makeTempDir();
  await sim.writeCredentials(dir.path);
  converted = [...sim.library.listing('_converted')].slice(0, 3);
  notConverted = Array.from({ length: BOOKS }, (_, i) => sim.library.book(i)).find((b) => !b.archiveAvailable) as SimulatedBook;
});
afterAll(async () => {
  await sim.close();
  await dir.remove();
});
afterEach(async () => {
  sim.setFaults([]);
  await Promise.all(clients.map((c) => c.close()));
  clients = [];
});

function make(extra: Partial<GrinClientOptions> = {}) {
  const sleeps: number[] = [];
  const events: ClientEvent[] = [];
  const client = createGrinClient({
    libraryDirectory: sim.libraryDirectory,
    baseUrl: sim.grinBaseUrl,
    credentialsDir: dir.path,
    requestsPerSecond: Number.POSITIVE_INFINITY,
    idleTimeoutMs: 5_000,
    retry: { attempts: 4, baseDelayMs: 1_000, maxDelayMs: 8_000 },
    random: () => 0.5,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    onEvent: (e) => events.push(e),
    parseIn: 'main',
    ...extra,
  });
  clients.push(client);
  return { client, sleeps, events };
}

async function listAll(client: GrinClient): Promise<string[]> {
  const barcodes: string[] = [];
  for await (const page of client.listPages('_all_books', { pageSize: 1_000 })) {
    for (const row of page.rows) barcodes.push(row.barcode);
  }
  return barcodes;
}

const allBarcodes = (): string[] => Array.from({ length: BOOKS }, (_, i) => sim.library.book(i).barcode);

async function sha256(stream: NodeJS.ReadableStream): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function archiveSha(barcode: string): Promise<string> {
  const truth = await sim.library.archive(barcode);
  const { createReadStream } = await import('node:fs');
  return sha256(createReadStream(truth.encryptedPath));
}

function retryCodes(events: ClientEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'retry' ? [e.code] : []));
}

describe('listing faults', () => {
  const cases: Array<{ name: string; rules: FaultRule[]; sleeps?: number[]; retries?: string[] }> = [
    { name: 'latency', rules: [{ endpoint: 'listing', kind: 'latency', latencyMs: 200, times: 1 }], retries: [] },
    { name: 'status-429 with Retry-After', rules: [{ endpoint: 'listing', kind: 'status-429', retryAfterSeconds: 3, times: 2 }], sleeps: [3000, 3000] },
    { name: 'status-500', rules: [{ endpoint: 'listing', kind: 'status-500', times: 2 }], sleeps: [500, 1000] },
    { name: 'status-503', rules: [{ endpoint: 'listing', kind: 'status-503', times: 1, skip: 1 }], retries: ['server_error'] },
    { name: 'reset-mid-body', rules: [{ endpoint: 'listing', kind: 'reset-mid-body', times: 1, match: { pageNumber: 2 } }], retries: ['network'] },
    { name: 'truncate-body', rules: [{ endpoint: 'listing', kind: 'truncate-body', times: 1, match: { pageNumber: 3 } }], retries: ['network'] },
    { name: 'wrong-content-length', rules: [{ endpoint: 'listing', kind: 'wrong-content-length', times: 1, match: { pageNumber: 2 } }], retries: ['network'] },
    { name: 'unavailable-page', rules: [{ endpoint: 'listing', kind: 'unavailable-page', times: 2 }], retries: ['unavailable', 'unavailable'] },
    { name: 'slow-drip', rules: [{ endpoint: 'listing', kind: 'slow-drip', bytesPerSecond: 2_000_000, chunkBytes: 16_384, times: 1 }], retries: [] },
    { name: 'bandwidth', rules: [{ endpoint: 'listing', kind: 'bandwidth', bytesPerSecond: 4_000_000, times: 1 }], retries: [] },
  ];
  for (const c of cases) {
    it(`recovers from ${c.name}: the listing is still complete and in order`, async () => {
      sim.setFaults(c.rules);
      const { client, sleeps, events } = make();
      expect(await listAll(client)).toEqual(allBarcodes());
      if (c.sleeps) expect(sleeps).toEqual(c.sleeps);
      if (c.retries) expect(retryCodes(events)).toEqual(c.retries);
      expect(Object.values(sim.stats().faultsApplied).reduce((a, b) => a + (b ?? 0), 0)).toBeGreaterThan(0);
    });
  }

  it('fails with UnavailableError when GRIN stays unavailable (no silent end)', async () => {
    sim.setFaults([{ endpoint: 'listing', kind: 'unavailable-page', skip: 1 }]);
    const { client } = make();
    await expect(listAll(client)).rejects.toBeInstanceOf(UnavailableError);
  });

  it('fails with CursorRejectedError on an expired cursor, and page 1 works again', async () => {
    sim.setFaults([{ endpoint: 'listing', kind: 'expired-cursor' }]);
    const { client, sleeps } = make();
    const error = await listAll(client).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CursorRejectedError);
    expect(sleeps).toEqual([]);
    sim.setFaults([]);
    expect(await listAll(client)).toEqual(allBarcodes());
  });

  it('maps the rows exactly even after retries', async () => {
    sim.setFaults([{ endpoint: 'listing', kind: 'reset-mid-body', times: 1 }]);
    const { client } = make({ parseIn: 'worker' });
    const rows = [];
    for await (const page of client.listPages('_all_books', { pageSize: 1_000 })) rows.push(...page.rows);
    expect(rows).toEqual(Array.from({ length: BOOKS }, (_, i) => expectedRow(sim.library.book(i), '_all_books')));
  });
});

describe('other endpoints under faults', () => {
  it('text list: status-500 and reset before the first line are retried', async () => {
    sim.setFaults([
      { endpoint: 'text-list', kind: 'status-500', times: 1 },
      { endpoint: 'text-list', kind: 'reset-mid-body', times: 1, afterBytes: 0 },
    ]);
    const { client, events } = make();
    const barcodes: string[] = [];
    for await (const b of client.textList('_converted')) barcodes.push(b);
    expect(barcodes).toEqual([...sim.library.listing('_converted')].map((b) => b.barcode));
    expect(retryCodes(events).length).toBeGreaterThanOrEqual(1);
  });

  it('probe and HEAD honour Retry-After on 503; HEAD 404 is NotFoundError without retry', async () => {
    sim.setFaults([
      { endpoint: 'probe', kind: 'status-503', retryAfterSeconds: 2, times: 1 },
      { endpoint: 'archive-head', kind: 'status-503', retryAfterSeconds: 4, times: 1 },
    ]);
    const { client, sleeps } = make();
    await client.probe();
    const truth = await sim.library.archive((converted[0] as SimulatedBook).barcode);
    expect(await client.headArchive(truth.barcode)).toEqual({ etag: truth.etag, size: truth.encryptedSize });
    expect(sleeps).toEqual([2000, 4000]);
    const before = sim.stats().requests['archive-head'] ?? 0;
    await expect(client.headArchive(notConverted.barcode)).rejects.toBeInstanceOf(NotFoundError);
    expect((sim.stats().requests['archive-head'] ?? 0) - before).toBe(1);
  });

  it('download: reset, truncation and a wrong length fail the stream with NetworkError; the next attempt succeeds', async () => {
    const barcode = (converted[1] as SimulatedBook).barcode;
    const expected = await archiveSha(barcode);
    for (const kind of ['reset-mid-body', 'truncate-body', 'wrong-content-length'] as const) {
      sim.setFaults([{ endpoint: 'archive-get', kind, times: 1, ...(kind === 'wrong-content-length' ? { contentLengthDelta: 100 } : {}) }]);
      const { client } = make();
      const broken = await client.downloadArchive(barcode);
      await expect(sha256(broken.body), kind).rejects.toBeInstanceOf(NetworkError);
      const again = await client.downloadArchive(barcode);
      expect(await sha256(again.body)).toBe(expected);
    }
  });

  it('download: a Content-Length shorter than the archive is caught with the HEAD size and retried', async () => {
    const barcode = (converted[1] as SimulatedBook).barcode;
    const expected = await archiveSha(barcode);
    sim.setFaults([{ endpoint: 'archive-get', kind: 'wrong-content-length', times: 1 }]);
    const { client, events } = make();
    const head = await client.headArchive(barcode);
    const download = await client.downloadArchive(barcode, { expectedSize: head.size as number });
    expect(await sha256(download.body)).toBe(expected);
    expect(retryCodes(events)).toEqual(['network']);
  });

  it('download: bandwidth cap and slow drip complete (moving transfers never time out)', async () => {
    const barcode = (converted[2] as SimulatedBook).barcode;
    const expected = await archiveSha(barcode);
    for (const rule of [
      { endpoint: 'archive-get', kind: 'bandwidth', bytesPerSecond: 200_000 },
      { endpoint: 'archive-get', kind: 'slow-drip', bytesPerSecond: 200_000, chunkBytes: 2_048 },
    ] satisfies FaultRule[]) {
      sim.setFaults([rule]);
      const { client } = make({ idleTimeoutMs: 1_000 });
      let counted = 0;
      const download = await client.downloadArchive(barcode, { onBytes: (n) => (counted += n) });
      expect(await sha256(download.body)).toBe(expected);
      expect(counted).toBe(download.size);
    }
  });

  it('_process and _barcode_search retry 5xx; the token endpoint failing once does not break a refresh', async () => {
    const tokenDir = await makeTempDir();
    try {
      await sim.writeCredentials(tokenDir.path); // no access token: the first request refreshes
      sim.setFaults([
        { endpoint: 'token', kind: 'status-500', times: 1 },
        { endpoint: 'process', kind: 'status-503', times: 1 },
        { endpoint: 'barcode-search', kind: 'status-500', times: 1 },
      ]);
      const { client } = make({ credentialsDir: tokenDir.path });
      const records = [];
      for await (const r of client.barcodeSearch([notConverted.barcode])) records.push(r);
      expect(records[0]?.values).toEqual(notConverted.enrichment);
      const results = await client.requestConversion([notConverted.barcode]);
      expect(results[0]?.barcode).toBe(notConverted.barcode);
      expect(sim.stats().refreshGrants).toBeGreaterThanOrEqual(1);
    } finally {
      await tokenDir.remove();
    }
  });
});

describe('auth against the simulator', () => {
  for (const style of ['status-401', 'login-redirect'] as const) {
    it(`an expired token (${style}) triggers exactly one refresh`, async () => {
      let offset = 0;
      const authSim = await startSimulator({ books: 50, unauthorizedStyle: style, clock: () => Date.now() + offset });
      const creds = await makeTempDir();
      const client = createGrinClient({
        libraryDirectory: authSim.libraryDirectory,
        baseUrl: authSim.grinBaseUrl,
        credentialsDir: creds.path,
        requestsPerSecond: Number.POSITIVE_INFINITY,
      });
      try {
        await authSim.writeCredentials(creds.path, { withAccessToken: true });
        offset = 2 * 3600_000; // the simulator's token expired; the client still believes it valid
        await client.probe();
        await client.probe();
        for await (const _ of client.textList('_converted')) {
          // drain
        }
        const stats = authSim.stats();
        expect(stats.unauthorized).toBe(1);
        expect(stats.refreshGrants).toBe(1);
      } finally {
        await client.close();
        await authSim.close();
        await creds.remove();
      }
    });
  }
});
