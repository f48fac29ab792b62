import { describe, expect, it } from 'vitest';
import { BARCODE_SEARCH_COLUMNS, type GrinState, PROCESS_STATUS } from '../src/index.js';
import type { TestSim } from './helpers/http.js';
import { useTestSims } from './helpers/testSims.js';

const sim = useTestSims();

function firstWith(t: TestSim, predicate: (b: ReturnType<TestSim['sim']['library']['book']>) => boolean): string {
  for (let i = 0; i < t.sim.library.size; i++) {
    const b = t.sim.library.book(i);
    if (predicate(b)) return b.barcode;
  }
  throw new Error('no such book');
}

const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '');

describe('_process', () => {
  it('moves a book to in process, then to converted after the delay on the injected clock', async () => {
    let now = 1_700_000_000_000;
    const t = await sim({ books: 500, seed: 12, conversionDelayMs: 60_000, clock: () => now });
    const lib = t.sim.library;
    const target = firstWith(t, (b) => b.state === 'PREVIOUSLY_DOWNLOADED' && !b.conversionFailure);
    const converted = firstWith(t, (b) => b.state === 'CONVERTED');
    const inProcess = firstWith(t, (b) => b.state === 'IN_PROCESS');
    const unavailable = firstWith(t, (b) => b.state === 'NOT_AVAILABLE_FOR_DOWNLOAD');
    const failed = firstWith(t, (b) => b.conversionFailure !== null);
    const convertedBefore = lib.listSize('_converted');
    expect((await t.get(t.lib(`${target}.tar.gz.gpg`), { method: 'HEAD' })).status).toBe(404);

    const res = await t.get(`${t.lib('_process')}?barcodes=${[target, converted, inProcess, unavailable, failed, 'NOPE1234'].join(',')}`);
    expect(res.status).toBe(200);
    expect(lines(res.text)).toEqual([
      'Barcode\tStatus',
      `${target}\tSuccess`,
      `${converted}\tAlready available for download`,
      `${inProcess}\tBook is already in process for conversion`,
      `${unavailable}\tBook not available for conversion`,
      `${failed}\tBook not available for conversion`,
      'NOPE1234\tBook not available for conversion',
    ]);
    expect(lib.currentState(target)).toEqual({ state: 'IN_PROCESS', archiveAvailable: false, inProcess: true, failed: false });
    expect(lib.currentState(failed).failed).toBe(true);
    expect(lines((await t.get(`${t.lib('_in_process')}?format=text`)).text)).toContain(target);
    expect(lines((await t.get(`${t.lib('_process')}?barcodes=${target}`)).text)[1]).toBe(`${target}\t${PROCESS_STATUS['already-in-process']}`);

    now += 59_999;
    expect(lib.currentState(target).state).toBe('IN_PROCESS');
    now += 1;
    expect(lib.currentState(target)).toEqual({ state: 'CONVERTED', archiveAvailable: true, inProcess: false, failed: false });
    const book = lib.byBarcode(target)!;
    expect(book.convertedDate).toBe('2023/11/14 22:14');
    expect(lib.listSize('_converted')).toBe(convertedBefore + 1);
    expect(lines((await t.get(`${t.lib('_converted')}?format=text`)).text)).toContain(`${target}.tar.gz.gpg`);
    expect(lines((await t.get(`${t.lib('_in_process')}?format=text`)).text)).not.toContain(target);
    expect((await t.get(t.lib(`${target}.tar.gz.gpg`), { method: 'HEAD' })).status).toBe(200);
    expect(lines((await t.get(`${t.lib('_process')}?barcodes=${target}`)).text)[1]).toBe(`${target}\tAlready available for download`);
    expect(t.sim.stats().conversionsRequested).toBe(1);
  });

  it('answers 429 when the queue is full', async () => {
    const t = await sim({ books: 2000, seed: 13, conversionDelayMs: 1e12 });
    const lib = t.sim.library;
    const base = lib.listSize('_in_process');
    const candidates: string[] = [];
    for (let i = 0; i < lib.size && candidates.length < 4; i++) {
      const b = lib.book(i);
      if ((['CHECKED_IN', 'NEW', 'PREVIOUSLY_DOWNLOADED'] as GrinState[]).includes(b.state) && !b.conversionFailure) candidates.push(b.barcode);
    }
    await t.sim.close();
    const limited = await sim({ books: 2000, seed: 13, conversionDelayMs: 1e12, queueLimit: base + 2 });
    const first = await limited.get(`${limited.lib('_process')}?barcodes=${candidates[0]},${candidates[1]}`);
    expect(first.status).toBe(200);
    expect(limited.sim.library.listSize('_in_process')).toBe(base + 2);
    const full = await limited.get(`${limited.lib('_process')}?barcodes=${candidates[2]}`);
    expect(full.status).toBe(429);
    expect(limited.sim.library.currentState(candidates[2]!).state).not.toBe('IN_PROCESS');
    const alreadyConverted = firstWith(limited, (b) => b.state === 'CONVERTED');
    expect((await limited.get(`${limited.lib('_process')}?barcodes=${alreadyConverted}`)).status).toBe(429);
    expect((await limited.get(limited.lib('_process'))).status).toBe(400);
  });
});

describe('text lists and enrichment', () => {
  it('serves _converted, _failed and _in_process as text', async () => {
    const t = await sim({ books: 3000, seed: 14 });
    const lib = t.sim.library;
    const converted = lines((await t.get(`${t.lib('_converted')}?format=text`)).text);
    expect(converted).toEqual([...lib.listing('_converted')].map((b) => `${b.barcode}.tar.gz.gpg`));
    const failed = lines((await t.get(`${t.lib('_failed')}?format=text`)).text);
    expect(failed).toEqual([...lib.listing('_failed')].map((b) => `${b.barcode}\t${b.conversionFailure!.date}\t${b.conversionFailure!.info}`));
    const inProcess = lines((await t.get(`${t.lib('_in_process')}?format=text`)).text);
    expect(inProcess.length).toBeGreaterThan(10);
    expect(inProcess).toEqual([...lib.listing('_in_process')].map((b) => b.barcode));
  });

  it('answers _barcode_search with a TSV mapped by header name', async () => {
    const t = await sim({ books: 400, seed: 15 });
    const books = [3, 77, 399].map((i) => t.sim.library.book(i));
    const query = `execute_query=true&format=text&mode=full&barcodes=${books.map((b) => b.barcode).join('%20')}%20UNKNOWN123`;
    const res = await t.get(`${t.lib('_barcode_search')}?${query}`);
    expect(res.status).toBe(200);
    const [header, ...rows] = lines(res.text).map((l) => l.split('\t'));
    expect(header).toEqual([...BARCODE_SEARCH_COLUMNS]);
    expect(rows.length).toBe(3);
    rows.forEach((row, i) => {
      const byName = Object.fromEntries(header!.map((h, j) => [h, row[j] ?? '']));
      expect(byName).toEqual(books[i]!.enrichment);
    });
  });
});
