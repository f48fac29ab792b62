import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertedBarcodes, countConvertedBarcodes } from '../../src/select/converted-selector.js';
import { startWorld, type ConvertWorld } from './convert-world.js';

let w: ConvertWorld;
beforeAll(async () => {
  w = await startWorld({ books: 300 });
});
afterAll(async () => {
  await w?.close();
});

const listingRequests = (): number => w.sim.requestLog().filter((r) => r.endpoint === 'listing').length;

describe("counting GRIN's _converted listing (the progress total of --queue converted)", () => {
  it('counts what the pipeline walk yields, over several pages, keeping no barcodes', async () => {
    const walked: string[] = [];
    for await (const b of convertedBarcodes(w.client, { pageSize: 20 })) walked.push(b);
    expect(walked.length).toBeGreaterThan(40); // more than two pages
    expect(await countConvertedBarcodes(w.client, { pageSize: 20 })).toBe(walked.length);
  });

  it('stops at max (--limit) without reading the rest of the listing', async () => {
    const before = listingRequests();
    expect(await countConvertedBarcodes(w.client, { pageSize: 20, max: 25 })).toBe(25);
    expect(listingRequests() - before).toBe(2);
  });

  it('stops when the queue ends (its signal)', async () => {
    const done = new AbortController();
    done.abort();
    await expect(countConvertedBarcodes(w.client, { pageSize: 20, signal: done.signal })).rejects.toBeDefined();
  });
});
