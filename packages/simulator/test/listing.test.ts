import { describe, expect, it } from 'vitest';
import type { ListName, SimulatedBook, SimulatorOptions } from '../src/index.js';
import type { TestSim } from './helpers/http.js';
import { useTestSims } from './helpers/testSims.js';
import { findNextHref, normaliseHeader, type ParsedPage, parseListingPage, type Row } from './helpers/listingParser.js';

const sim = useTestSims();

interface Crawl {
  pages: ParsedPage[];
  urls: string[];
  rows: Row[];
}

async function crawl(t: TestSim, list: ListName, pageSize: number, startUrl?: string, maxPages = 1000): Promise<Crawl> {
  let url: string | undefined = startUrl ?? `${t.sim.url}${t.lib(list)}?result_count=${pageSize}`;
  const out: Crawl = { pages: [], urls: [], rows: [] };
  while (url !== undefined && out.pages.length < maxPages) {
    const res = await t.get(url);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    const page = parseListingPage([res.text]);
    out.pages.push(page);
    out.urls.push(url);
    out.rows.push(...page.rows);
    const next = findNextHref(page);
    url = next === undefined ? undefined : new URL(next, url).toString();
  }
  return out;
}

/** A parsed row as a dict of normalised header -> value (href when the cell has a link). */
function rowDict(headers: string[], row: Row): Record<string, string> {
  const dict: Record<string, string> = {};
  headers.forEach((header, i) => {
    const cell = row.cells[i];
    if (header === '' || !cell) return;
    dict[normaliseHeader(header)] = cell.href ?? cell.text.trim();
  });
  return dict;
}

function expectAllBooksRow(headers: string[], row: Row, book: SimulatedBook, long: boolean): void {
  const d = rowDict(headers, row);
  expect(row.cells[0]?.checkbox).toBe(book.barcode);
  expect(d['barcode']).toBe(book.barcode);
  expect(d['title']).toBe(book.title);
  expect(d[long ? 'state' : 'status']).toBe(book.state);
  const suffix = long ? '_date' : '';
  expect(d[`scanned${suffix}`] || null).toBe(book.scannedDate);
  expect(d[`analyzed${suffix}`] || null).toBe(book.analyzedDate);
  expect(d[`converted${suffix}`] || null).toBe(book.convertedDate);
  expect(d[`downloaded${suffix}`] || null).toBe(book.downloadedDate);
  expect(d[`processed${suffix}`] || null).toBe(book.processedDate);
  expect(d[`ocrd${suffix}`] || null).toBe(book.ocrDate);
  expect(d[long ? 'google_books_link' : 'google_books']).toBe(book.googleBooksLink);
}

describe('HTML listings', () => {
  const combos: [NonNullable<SimulatorOptions['nextLinkStyle']>, NonNullable<SimulatorOptions['nextLinkHref']>, number][] = [
    ['first', 'absolute-path', 1000],
    ['first', 'relative', 777],
    ['ctoken', 'absolute-url', 1000],
    ['ctoken', 'relative', 2999],
  ];
  for (const [style, href, pageSize] of combos) {
    it(`_all_books is complete and in order (${style}, ${href}, page size ${pageSize})`, async () => {
      const t = await sim({ books: 3000, seed: 21, nextLinkStyle: style, nextLinkHref: href });
      const result = await crawl(t, '_all_books', pageSize);
      expect(result.pages.length).toBe(Math.ceil(3000 / pageSize));
      expect(result.rows.length).toBe(3000);
      const truth = [...t.sim.library.listing('_all_books')];
      const headers = result.pages[0]!.headers;
      result.rows.forEach((row, i) => expectAllBooksRow(headers, row, truth[i]!, false));
      for (const url of result.urls.slice(1)) expect(url).toContain(style === 'first' ? 'first=' : 'ctoken=');
      const served = t.sim.stats().listingPages;
      expect(served.map((p) => p.pageNumber)).toEqual(result.pages.map((_, i) => i + 1));
      expect(served.every((p) => p.ctoken === (style === 'ctoken' && p.pageNumber > 1))).toBe(true);
    });
  }

  it('lays pages out as reference 1.4: decoy table first, heading row, Prev before Next', async () => {
    const t = await sim({ books: 300, seed: 4 });
    const res = await t.get(`${t.lib('_all_books')}?result_count=100&first=100`);
    const page = parseListingPage([res.text]);
    expect(page.listingTable).toBe(1);
    expect(page.tables[0]!.some((r) => r.heading)).toBe(false);
    expect(page.tables[0]!.some((r) => r.cells.length >= 2)).toBe(true);
    expect(page.tables[1]![0]!.heading).toBe(true);
    expect(page.headers).toEqual(['', 'Barcode', 'Title', 'Status', 'Scanned', 'Analyzed', 'Converted', 'Downloaded', 'Processed', "OCR'd", 'Google Books']);
    expect(res.text).toContain('<td><span class="hd3">Barcode</span></td>');
    const pager = page.links.filter((l) => /first=|ctoken=/.test(l.href));
    expect(pager.map((l) => l.text)).toEqual(['< Prev', 'Next >']);
    expect(res.text).toContain('>Next &gt;</a>');
    expect(findNextHref(page)).toContain('first=200');
    // Escaped titles round-trip through entity decoding.
    expect(res.text).not.toMatch(/<td>[^<]*&(?![a-z]+;|#\d+;)[^<]*<\/td>/);
  });

  it('parses identically when the bytes arrive in tiny pieces (streaming parser, split UTF-8)', async () => {
    const t = await sim({ books: 400, seed: 6 });
    const res = await t.get(`${t.lib('_all_books')}?result_count=400`);
    const whole = parseListingPage([res.text]);
    const decoder = new TextDecoder('utf-8', { fatal: true });
    function* pieces(): Generator<string> {
      for (let at = 0; at < res.body.length; at += 5) yield decoder.decode(res.body.subarray(at, at + 5), { stream: true });
      yield decoder.decode();
    }
    const streamed = parseListingPage(pieces());
    expect(streamed.rows).toEqual(whole.rows);
    expect(whole.rows.some((r) => /[^\x00-\x7f]/.test(r.cells[2]!.text))).toBe(true);
    expect(whole.rows.some((r) => /[&<"]/.test(r.cells[2]!.text))).toBe(true);
  });

  it('serves the long header variant with an entity in a header', async () => {
    const t = await sim({ books: 50, seed: 4, headerVariant: 'long' });
    const res = await t.get(`${t.lib('_all_books')}?result_count=50`);
    expect(res.text).toContain('OCR&#39;d Date');
    const page = parseListingPage([res.text]);
    expect(page.headers.map(normaliseHeader)).toEqual([
      '', 'barcode', 'title', 'state', 'scanned_date', 'analyzed_date', 'converted_date', 'downloaded_date',
      'processed_date', 'ocrd_date', 'google_books_link',
    ]);
    const truth = [...t.sim.library.listing('_all_books')];
    page.rows.forEach((row, i) => expectAllBooksRow(page.headers, row, truth[i]!, true));
  });

  it('serves _converted with a Filename column and no checkbox', async () => {
    const t = await sim({ books: 2000, seed: 8, nextLinkStyle: 'ctoken' });
    const result = await crawl(t, '_converted', 300);
    const truth = [...t.sim.library.listing('_converted')];
    expect(result.rows.length).toBe(truth.length);
    const headers = result.pages[0]!.headers;
    expect(headers[0]).toBe('Filename');
    result.rows.forEach((row, i) => {
      const d = rowDict(headers, row);
      expect(row.cells.some((c) => c.checkbox !== undefined)).toBe(false);
      expect(d['filename']).toBe(`${truth[i]!.barcode}.tar.gz.gpg`);
      expect(d['title']).toBe(truth[i]!.title);
      expect(d['converted'] || null).toBe(truth[i]!.convertedDate);
      expect(d['google_books']).toBe(truth[i]!.googleBooksLink);
    });
  });

  it('serves _failed on one page with result_count=-1', async () => {
    const t = await sim({ books: 3000, seed: 8 });
    const result = await crawl(t, '_failed', -1);
    expect(result.pages.length).toBe(1);
    const truth = [...t.sim.library.listing('_failed')];
    expect(truth.length).toBeGreaterThan(20);
    const headers = result.pages[0]!.headers.map(normaliseHeader);
    expect(headers).toEqual(['barcode', 'title', 'convert_failed_date', 'convert_failed_info', 'detailed_convert_failed_info']);
    result.rows.forEach((row, i) => {
      const d = rowDict(result.pages[0]!.headers, row);
      const f = truth[i]!.conversionFailure!;
      expect([d['barcode'], d['convert_failed_date'], d['convert_failed_info'], d['detailed_convert_failed_info']]).toEqual([
        truth[i]!.barcode, f.date, f.info, f.detailedInfo,
      ]);
    });
  });

  it('resumes from a saved Next URL and never serves a page twice', async () => {
    const t = await sim({ books: 2500, seed: 30, nextLinkStyle: 'ctoken' });
    const first = await crawl(t, '_all_books', 500, undefined, 2);
    const saved = new URL(findNextHref(first.pages[1]!)!, first.urls[1]!).toString();
    const rest = await crawl(t, '_all_books', 500, saved);
    const barcodes = [...first.rows, ...rest.rows].map((r) => r.cells[1]!.text);
    expect(barcodes).toEqual([...t.sim.library.listing('_all_books')].map((b) => b.barcode));
    const pages = t.sim.stats().listingPages.map((p) => p.pageNumber);
    expect(pages).toEqual([1, 2, 3, 4, 5]);
  });

  it('rejects expired, tampered and foreign cursors with 400', async () => {
    let now = 1_700_000_000_000;
    const t = await sim({ books: 500, seed: 2, nextLinkStyle: 'ctoken', cursorLifetimeMs: 60_000, clock: () => now });
    const page = parseListingPage([(await t.get(`${t.lib('_all_books')}?result_count=100`)).text]);
    const next = new URL(findNextHref(page)!, t.sim.url).toString();
    expect((await t.get(next)).status).toBe(200);
    now += 61_000;
    const expired = await t.get(next);
    expect(expired.status).toBe(400);
    expect(expired.text).toContain('expired');
    const token = new URL(next).searchParams.get('ctoken')!;
    const tampered = token.slice(0, 5) + (token[5] === 'A' ? 'B' : 'A') + token.slice(6);
    expect((await t.get(`${t.lib('_all_books')}?result_count=100&ctoken=${tampered}`)).status).toBe(400);
    now -= 61_000;
    expect((await t.get(`${t.lib('_converted')}?result_count=100&ctoken=${token}`)).status).toBe(400);
    expect((await t.get(`${t.lib('_all_books')}?result_count=abc`)).status).toBe(400);
    expect((await t.get(`${t.lib('_all_books')}?result_count=10&first=-5`)).status).toBe(400);
  });

  it('answers 403 for another library directory and 404 for unknown paths', async () => {
    const t = await sim({ books: 10 });
    expect((await t.get('/libraries/Other/_all_books')).status).toBe(403);
    expect((await t.get(t.lib('_nothing'))).status).toBe(404);
    expect((await t.get('/elsewhere')).status).toBe(404);
    const probe = await t.get(`${t.lib('')}?format=text&result_count=1`);
    expect(probe.status).toBe(200);
    expect(probe.text.trim()).toBe(t.sim.library.book(0).barcode);
  });

  it('serves any page of a 1,000,000-volume library without materialising it', async () => {
    const t = await sim({ books: 1_000_000, seed: 77 });
    const res = await t.get(`${t.lib('_all_books')}?result_count=1000&first=999500`);
    const page = parseListingPage([res.text]);
    expect(page.rows.length).toBe(500);
    expect(page.rows[499]!.cells[1]!.text).toBe(t.sim.library.book(999_999).barcode);
    expect(findNextHref(page)).toBeUndefined();
    const converted = parseListingPage([(await t.get(`${t.lib('_converted')}?result_count=100&first=300000`)).text]);
    expect(converted.rows.length).toBe(100);
  });
});
