// Contract tests against @grin/simulator over real loopback HTTP: listings and queries.
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '@grin/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createGrinClient,
  grinDateToIso,
  type GrinClient,
  type GrinClientOptions,
  type ListingPage,
  type ListingRow,
} from '../src/index.js';
import { expectedRow } from './helpers/sim-truth.js';
import { makeTempDir } from './helpers/temp-dir.js';

const BOOKS = 25_000;

async function withSim<T>(options: SimulatorOptions, fn: (sim: RunningSimulator, client: (o?: Partial<GrinClientOptions>) => GrinClient) => Promise<T>): Promise<T> {
  const sim = await startSimulator(options);
  const dir = await makeTempDir();
  const clients: GrinClient[] = [];
  try {
    await sim.writeCredentials(dir.path);
    const make = (o: Partial<GrinClientOptions> = {}): GrinClient => {
      const c = createGrinClient({
        libraryDirectory: sim.libraryDirectory,
        baseUrl: sim.grinBaseUrl,
        credentialsDir: dir.path,
        requestsPerSecond: Number.POSITIVE_INFINITY,
        sleep: () => Promise.resolve(),
        ...o,
      });
      clients.push(c);
      return c;
    };
    return await fn(sim, make);
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await sim.close();
    await dir.remove();
  }
}

async function collectPages(client: GrinClient, list: string, opts: Parameters<GrinClient['listPages']>[1] = {}): Promise<ListingPage[]> {
  const pages: ListingPage[] = [];
  for await (const page of client.listPages(list, opts)) pages.push(page);
  return pages;
}

/** Compares rows with the truth without building 25,000 expectation objects in one assertion. */
function expectRowsMatch(rows: ListingRow[], truth: ListingRow[]): void {
  expect(rows.length).toBe(truth.length);
  for (let i = 0; i < rows.length; i += 1) {
    if (JSON.stringify(rows[i]) !== JSON.stringify(truth[i])) expect({ index: i, row: rows[i] }).toEqual({ index: i, row: truth[i] });
  }
}

describe('listing a 25,000-book simulated library', () => {
  let sim: RunningSimulator;
  let truth: ListingRow[];
  beforeAll(async () => {
    sim = await startSimulator({ books: BOOKS, seed: 7 });
    truth = Array.from({ length: BOOKS }, (_, i) => expectedRow(sim.library.book(i), '_all_books'));
  });
  afterAll(() => sim.close());

  const configs: Array<{ pageSize: number; style: 'first' | 'ctoken'; href: 'absolute-path' | 'relative' | 'absolute-url'; header: 'short' | 'long'; parseIn: 'main' | 'worker' }> = [
    { pageSize: 10_000, style: 'first', href: 'absolute-path', header: 'short', parseIn: 'worker' },
    { pageSize: 3_000, style: 'ctoken', href: 'relative', header: 'long', parseIn: 'main' },
    { pageSize: 4_999, style: 'ctoken', href: 'absolute-url', header: 'short', parseIn: 'worker' },
    { pageSize: 2_500, style: 'first', href: 'relative', header: 'long', parseIn: 'main' },
  ];
  for (const c of configs) {
    it(`is complete, in order and exact: page size ${c.pageSize}, ${c.style} Next links (${c.href}), ${c.header} headers, parsed in ${c.parseIn}`, async () => {
      await withSim({ books: BOOKS, seed: 7, nextLinkStyle: c.style, nextLinkHref: c.href, headerVariant: c.header }, async (s, make) => {
        const pages = await collectPages(make({ parseIn: c.parseIn }), '_all_books', { pageSize: c.pageSize });
        expect(pages.map((p) => p.pageNumber)).toEqual(Array.from({ length: Math.ceil(BOOKS / c.pageSize) }, (_, i) => i + 1));
        expect(pages.every((p) => p.rowsWithoutBarcode === 0)).toBe(true);
        expectRowsMatch(pages.flatMap((p) => p.rows), truth);
        expect(s.stats().listingPages.map((p) => p.ctoken)).toEqual(pages.map((_, i) => c.style === 'ctoken' && i > 0));
      });
    });
  }

  it('resumes from a saved Next URL (ctoken and first= styles)', async () => {
    for (const style of ['ctoken', 'first'] as const) {
      await withSim({ books: 6_000, seed: 3, nextLinkStyle: style }, async (s, make) => {
        const client = make({ parseIn: 'main' });
        const iterator = client.listPages('_all_books', { pageSize: 1_000 })[Symbol.asyncIterator]();
        const first = (await iterator.next()).value as ListingPage;
        const second = (await iterator.next()).value as ListingPage;
        await iterator.return?.(); // the "crash": only page 2's Next URL was saved
        const resumed = await collectPages(make(), '_all_books', { startUrl: second.nextUrl as string, startPageNumber: 3 });
        expect(resumed.map((p) => p.pageNumber)).toEqual([3, 4, 5, 6]);
        const rows = [...first.rows, ...second.rows, ...resumed.flatMap((p) => p.rows)];
        expectRowsMatch(rows, Array.from({ length: 6_000 }, (_, i) => expectedRow(s.library.book(i), '_all_books')));
      });
    }
  });
});

describe('other lists and queries against the simulator', () => {
  it('_converted (Filename column) and _failed pages match the truth', async () => {
    await withSim({ books: 3_000, seed: 11, headerVariant: 'long' }, async (s, make) => {
      const client = make();
      const converted = (await collectPages(client, '_converted', { pageSize: 700 })).flatMap((p) => p.rows);
      expectRowsMatch(converted, [...s.library.listing('_converted')].map((b) => expectedRow(b, '_converted')));
      expect(converted.length).toBeGreaterThan(0);
      const failedRows = (await collectPages(client, '_failed', { pageSize: -1 })).flatMap((p) => p.rows);
      const failedTruth = [...s.library.listing('_failed')];
      expectRowsMatch(failedRows, failedTruth.map((b) => expectedRow(b, '_failed')));
      const failed = [];
      for await (const f of client.failedList()) failed.push(f);
      expect(failed).toEqual(
        failedTruth.map((b) => ({
          barcode: b.barcode,
          failedDate: grinDateToIso(b.conversionFailure?.date),
          info: b.conversionFailure?.info || null,
          detailedInfo: b.conversionFailure?.detailedInfo || null,
          extra: {},
        })),
      );
      const failedText = [];
      for await (const f of client.failedList({ source: 'text' })) failedText.push(f.barcode);
      expect(failedText).toEqual(failedTruth.map((b) => b.barcode));
    });
  });

  it('text lists stream the barcodes of _converted and _in_process', async () => {
    await withSim({ books: 3_000, seed: 5 }, async (s, make) => {
      const client = make();
      const converted: string[] = [];
      for await (const b of client.textList('_converted')) converted.push(b);
      expect(converted).toEqual([...s.library.listing('_converted')].map((b) => b.barcode));
      const inProcess: string[] = [];
      for await (const b of client.textList('_in_process')) inProcess.push(b);
      expect(inProcess).toEqual([...s.library.listing('_in_process')].map((b) => b.barcode));
    });
  });

  it('requestConversion classifies the simulator answers and 429 means queue full', async () => {
    // The queue already holds the books in process at start; allow three more.
    const probe = await startSimulator({ books: 2_000, seed: 9 });
    const queued = probe.library.listSize('_in_process');
    await probe.close();
    await withSim({ books: 2_000, seed: 9, queueLimit: queued + 3 }, async (s, make) => {
      const client = make();
      const books = Array.from({ length: 2_000 }, (_, i) => s.library.book(i));
      const available = books.find((b) => b.archiveAvailable) as (typeof books)[number];
      const candidates = books.filter((b) => !b.archiveAvailable && b.state !== 'IN_PROCESS' && s.library.currentState(b.barcode).failed === false && b.state !== 'NOT_AVAILABLE_FOR_DOWNLOAD');
      const [a] = candidates;
      const results = await client.requestConversion([available.barcode, (a as (typeof books)[number]).barcode]);
      expect(results.map((r) => r.outcome)).toEqual(['already_available', 'requested']);
      expect((await client.requestConversion([(a as (typeof books)[number]).barcode]))[0]?.outcome).toBe('already_in_process');
      const before = s.stats().requests['process'] ?? 0;
      const overflow = candidates.slice(1, 10).map((b) => b.barcode);
      const error = await client.requestConversion(overflow, { batchSize: 1 }).catch((e: unknown) => e);
      expect((error as { code?: string }).code).toBe('queue_full');
      // Not retried: every batch up to and including the refused one was sent exactly once.
      const sent = (s.stats().requests['process'] ?? 0) - before;
      expect(sent).toBe(((error as { partialResults: unknown[] }).partialResults.length) + 1);
    });
  });

  it('barcodeSearch returns the enrichment truth, batched within 7,500 characters', async () => {
    await withSim({ books: 3_000, seed: 13 }, async (s, make) => {
      const client = make({ concurrency: 2 });
      const books = Array.from({ length: 1_500 }, (_, i) => s.library.book(i));
      const records = [];
      for await (const r of client.barcodeSearch(books.map((b) => b.barcode))) records.push(r);
      expect(records.map((r) => r.barcode)).toEqual(books.map((b) => b.barcode));
      for (const [i, r] of records.entries()) expect(r.values).toEqual((books[i] as (typeof books)[number]).enrichment);
      const first = books[0] as (typeof books)[number];
      expect(records[0]?.columns['grin_viewability']).toBe(first.enrichment['Viewability'] || null);
      expect(records[0]?.columns['scanned_date']).toBe(grinDateToIso(first.enrichment['Scanned Date']));
      const searches = s.requestLog().filter((r) => r.endpoint === 'barcode-search');
      expect(searches.length).toBeGreaterThan(1);
      for (const r of searches) {
        const url = `${s.grinBaseUrl}${s.libraryDirectory}/_barcode_search?execute_query=true&format=text&mode=full&barcodes=${encodeURIComponent(r.query['barcodes'] ?? '')}`;
        expect(url.length).toBeLessThanOrEqual(7_500);
      }
    });
  });
});
