import { describe, expect, it } from 'vitest';
import { WorkerParseEngine } from '../src/listing/worker-parse-engine.js';
import { listingPageHtml } from '../bench/listing-page-html.js';
import { parseListingHtml, unpackListingRows } from '../src/index.js';
import type { ParsedPage } from '../src/listing/page-rows.js';

/** A ParsedPage in the shape of parseListingHtml's result. */
function asListing(page: ParsedPage) {
  const rows = page.rows.format === 'objects' ? page.rows.objects : page.rows.packed.flatMap((p) => unpackListingRows(p));
  return { ...page, rows };
}

describe('WorkerParseEngine', () => {
  it('parses pages in a worker thread, rows batched back in order, sessions interleaved', async () => {
    const engine = new WorkerParseEngine();
    try {
      const a = Buffer.from(listingPageHtml(2_500, 0, '?first=2500'));
      const b = Buffer.from(listingPageHtml(1_200, 7_000, null));
      const sa = engine.start('objects');
      const sb = engine.start('packed');
      for (let i = 0; i < Math.max(a.length, b.length); i += 10_000) {
        if (i < a.length) sa.write(a.subarray(i, i + 10_000));
        if (i < b.length) sb.write(b.subarray(i, i + 10_000));
      }
      const [pa, pb] = await Promise.all([sa.end(), sb.end()]);
      expect(asListing(pa)).toEqual(parseListingHtml(a.toString()));
      expect(asListing(pb)).toEqual(parseListingHtml(b.toString()));
      expect(pa.rows.count).toBe(2_500);
      expect(pb.rows.count).toBe(1_200);
      // Packed batches stay small (young-generation strings), and every row is in one of them.
      expect(pb.rows.packed.length).toBeGreaterThanOrEqual(6);
    } finally {
      await engine.close();
    }
  });

  it('rejects awaited pages and refuses new ones once closed', async () => {
    const engine = new WorkerParseEngine();
    const session = engine.start('objects');
    session.write(Buffer.from(listingPageHtml(10, 0, null)));
    const result = session.end();
    await engine.close();
    await expect(result).rejects.toThrow(/closed/);
    expect(() => engine.start('objects')).toThrow(/closed/);
  });
});
