import { beforeEach, describe, expect, it } from 'vitest';
import {
  CursorRejectedError,
  ProtocolError,
  UnavailableError,
  type GrinClient,
  type ListingPage,
  type ListPagesOptions,
  unpackListingRows,
} from '../src/index.js';
import { barcodeAt, listingPageHtml } from '../bench/listing-page-html.js';
import { useFixtureClients } from './helpers/fixture-clients.js';

let parseIn: 'main' | 'worker' = 'main';
const { server, make } = useFixtureClients(() => ({ parseIn }));
const TOTAL = 23;

interface ListingBehaviour {
  style: 'first-relative' | 'ctoken-absolute-path' | 'absolute-url';
  /** Called before answering; return true when it answered itself. */
  intercept?: (url: URL, res: import('node:http').ServerResponse) => boolean;
}

function serveListing(behaviour: ListingBehaviour): { served: string[]; onServe: (fn: (path: string) => void) => void } {
  const served: string[] = [];
  let listener: (path: string) => void = () => undefined;
  server.setHandler((_req, res, url) => {
    if (behaviour.intercept?.(url, res)) return;
    const size = Number(url.searchParams.get('result_count') ?? 10);
    const ctoken = url.searchParams.get('ctoken');
    const first = ctoken !== null ? Number(Buffer.from(ctoken, 'base64url').toString().slice(3)) : Number(url.searchParams.get('first') ?? 0);
    const rows = Math.max(0, Math.min(size, TOTAL - first));
    const next = first + rows;
    let nextHref: string | null = null;
    if (next < TOTAL) {
      const token = Buffer.from(`pos${next}`).toString('base64url');
      nextHref =
        behaviour.style === 'first-relative'
          ? `_all_books?result_count=${size}&amp;first=${next}`
          : behaviour.style === 'ctoken-absolute-path'
            ? `/libraries/Lib/_all_books?ctoken=${token}&amp;result_count=${size}`
            : `${server.url}/libraries/Lib/_all_books?result_count=${size}&amp;first=${next}`;
    }
    const body = listingPageHtml(rows, first, nextHref);
    served.push(`${url.pathname}${url.search}`);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(body);
    listener(`${url.pathname}${url.search}`);
  });
  return { served, onServe: (fn) => (listener = fn) };
}


async function collect(client: GrinClient, opts: ListPagesOptions): Promise<ListingPage[]> {
  const pages: ListingPage[] = [];
  for await (const page of client.listPages('_all_books', opts)) pages.push(page);
  return pages;
}

for (const where of ['main', 'worker'] as const) {
  describe(`listPages over HTTP (parsed in ${where})`, () => {
    beforeEach(() => {
      parseIn = where;
    });
    for (const style of ['first-relative', 'ctoken-absolute-path', 'absolute-url'] as const) {
      it(`pages through every row in order (${style} Next links)`, async () => {
        serveListing({ style });
        const { client } = make();
        const pages = await collect(client, { pageSize: 5 });
        expect(pages.map((p) => p.pageNumber)).toEqual([1, 2, 3, 4, 5]);
        expect(pages.flatMap((p) => p.rows.map((r) => r.barcode))).toEqual(Array.from({ length: TOTAL }, (_, i) => barcodeAt(i)));
        expect(pages[0]?.url).toBe(`${server.baseUrl}Lib/_all_books?result_count=5`);
        for (let i = 0; i + 1 < pages.length; i += 1) expect(pages[i]?.nextUrl).toBe(pages[i + 1]?.url);
        expect(pages.at(-1)?.nextUrl).toBeNull();
        expect(pages[1]?.url).toMatch(style === 'ctoken-absolute-path' ? /\?ctoken=/ : /first=5/);
      });
    }

    it('parses identically in the worker thread', async () => {
      serveListing({ style: 'first-relative' });
      const main = await collect(make({ parseIn: 'main' }).client, { pageSize: 7 });
      const worker = await collect(make({ parseIn: 'worker' }).client, { pageSize: 7 });
      expect(worker).toEqual(main);
      expect(worker.flatMap((p) => p.rows)).toHaveLength(TOTAL);
    });

    it('hands out the same pages with packed rows (listPackedPages)', async () => {
      serveListing({ style: 'ctoken-absolute-path' });
      const { client } = make();
      const objects = await collect(client, { pageSize: 7 });
      const packed: ListingPage[] = [];
      for await (const page of client.listPackedPages('_all_books', { pageSize: 7 })) {
        const { packedRows, rowCount, ...rest } = page;
        const rows = packedRows.flatMap((p) => unpackListingRows(p));
        expect(rows).toHaveLength(rowCount);
        packed.push({ ...rest, rows });
      }
      expect(packed).toEqual(objects);
    });

    it('resumes from a saved Next URL with the given page number', async () => {
      serveListing({ style: 'ctoken-absolute-path' });
      const { client } = make();
      const all = await collect(client, { pageSize: 5 });
      const resumed = await collect(client, { startUrl: all[2]?.url as string, startPageNumber: 3 });
      expect(resumed).toEqual(all.slice(2));
    });

    it('fetches exactly one page ahead of the consumer', async () => {
      const { onServe } = serveListing({ style: 'first-relative' });
      let sawPage2!: () => void;
      const page2Served = new Promise<void>((resolve) => (sawPage2 = resolve));
      onServe((path) => {
        if (path.includes('first=5')) sawPage2();
      });
      const { client } = make();
      const iterator = client.listPages('_all_books', { pageSize: 5 })[Symbol.asyncIterator]();
      const first = await iterator.next();
      expect(first.value?.pageNumber).toBe(1);
      await page2Served; // the prefetch of page 2 starts while page 1 is being handled...
      await new Promise((r) => setTimeout(r, 100));
      expect(server.requests.map((r) => r.path)).toEqual([
        '/libraries/Lib/_all_books?result_count=5',
        '/libraries/Lib/_all_books?result_count=5&first=5',
      ]); // ...and page 3 only once page 2 is taken
      const second = await iterator.next();
      expect(second.value?.pageNumber).toBe(2);
      await iterator.return?.();
      expect(server.requests.length).toBeLessThanOrEqual(3);
    });

    it('retries a "Your request is unavailable" page instead of ending the list', async () => {
      let unavailable = 2;
      serveListing({
        style: 'first-relative',
        intercept: (url, res) => {
          if (url.searchParams.get('first') === '10' && unavailable > 0) {
            unavailable -= 1;
            res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body><p>Your request is unavailable.</p></body></html>');
            return true;
          }
          return false;
        },
      });
      const { client, time, events } = make();
      const pages = await collect(client, { pageSize: 5 });
      expect(pages.flatMap((p) => p.rows)).toHaveLength(TOTAL);
      expect(time.sleeps).toEqual([500, 1000]);
      expect(events.filter((e) => e.type === 'retry').map((e) => e.type === 'retry' && e.code)).toEqual(['unavailable', 'unavailable']);
    });

    it('fails with UnavailableError once the retries are exhausted (never a silent end)', async () => {
      serveListing({
        style: 'first-relative',
        intercept: (url, res) => {
          if (url.searchParams.get('first') !== '5') return false;
          res.writeHead(200, { 'content-type': 'text/html' }).end('<p>Your request is unavailable</p>');
          return true;
        },
      });
      const { client } = make();
      const pages: ListingPage[] = [];
      const error = await (async () => {
        for await (const page of client.listPages('_all_books', { pageSize: 5 })) pages.push(page);
      })().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnavailableError);
      expect((error as UnavailableError).retryable).toBe(true);
      expect((error as Error).message).toContain('page 2');
      expect(pages).toHaveLength(1);
    });

    it('maps 400/410 on a cursor URL to CursorRejectedError without retrying', async () => {
      serveListing({
        style: 'ctoken-absolute-path',
        intercept: (url, res) => {
          if (!url.searchParams.has('ctoken')) return false;
          res.writeHead(410, { 'content-type': 'text/html' }).end('<p>expired</p>');
          return true;
        },
      });
      const { client, time } = make();
      const error = await collect(client, { pageSize: 5 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CursorRejectedError);
      expect((error as CursorRejectedError).code).toBe('cursor_rejected');
      expect(server.requests).toHaveLength(2);
      expect(time.sleeps).toEqual([]);
    });

    it('fails with a ProtocolError naming the URL for a page without a listing table', async () => {
      server.setHandler((_req, res) => void res.writeHead(200, { 'content-type': 'text/html' }).end('<html><p>Something else</p></html>'));
      const { client } = make();
      const error = await collect(client, { pageSize: 5 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProtocolError);
      expect((error as Error).message).toContain(`${server.baseUrl}Lib/_all_books?result_count=5`);
    });

    it('ends at a page without rows even if it has a Next link', async () => {
      server.setHandler((_req, res) =>
        void res.writeHead(200).end(listingPageHtml(0, 0, '_all_books?result_count=5&amp;first=5')),
      );
      const { client } = make();
      const pages = await collect(client, { pageSize: 5 });
      expect(pages).toHaveLength(1);
      expect(pages[0]?.rows).toEqual([]);
      expect(pages[0]?.nextUrl).toBeNull();
    });

    it('stops the prefetch when the consumer breaks out early', async () => {
      serveListing({ style: 'first-relative' });
      const { client } = make();
      for await (const page of client.listPages('_all_books', { pageSize: 5 })) {
        expect(page.pageNumber).toBe(1);
        break;
      }
      expect(server.requests.length).toBeLessThanOrEqual(2);
    });
  });

  describe(`listPages with a body cut short (parsed in ${where})`, () => {
    beforeEach(() => {
      parseIn = where;
    });
    it('retries a page whose body ends inside the listing table (e.g. a short Content-Length)', async () => {
      let cut = 1;
      serveListing({
        style: 'first-relative',
        intercept: (url, res) => {
          if (url.searchParams.get('first') !== '5' || cut === 0) return false;
          cut -= 1;
          const body = Buffer.from(listingPageHtml(5, 5, '_all_books?result_count=5&amp;first=10'));
          const announced = body.length - 400; // the server lies; the client sees a complete but short page
          res.writeHead(200, { 'content-type': 'text/html', 'content-length': String(announced), connection: 'close' });
          res.end(body.subarray(0, announced));
          return true;
        },
      });
      const { client, time } = make();
      const pages = await collect(client, { pageSize: 5 });
      expect(pages.flatMap((p) => p.rows.map((r) => r.barcode))).toEqual(Array.from({ length: TOTAL }, (_, i) => barcodeAt(i)));
      expect(time.sleeps).toEqual([500]);
    });
  });

  describe(`listPages cancellation (parsed in ${where})`, () => {
    beforeEach(() => {
      parseIn = where;
    });
    it('rejects with the abort reason when the signal aborts mid-listing', async () => {
      serveListing({ style: 'first-relative' });
      const { client } = make();
      const controller = new AbortController();
      const seen: number[] = [];
      const error = await (async () => {
        for await (const page of client.listPages('_all_books', { pageSize: 5, signal: controller.signal })) {
          seen.push(page.pageNumber);
          if (page.pageNumber === 2) controller.abort(new Error('user interrupt'));
        }
      })().catch((e: unknown) => e);
      expect((error as Error).message).toBe('user interrupt');
      expect(seen).toEqual([1, 2]);
    });
  });
}
