import { once } from 'node:events';
import { readFile, readdir } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { extractVolume, type VolumeExtraction } from '../../src/extract/index.js';
import { buildTarGz, imageBytes, makeSandbox, metsXml, pageName, parseJsonl, streamOf } from './archive-fixtures.js';
import { EXPECTED_COLUMNS, EXPECTED_LINES, RECORD, volumeEntries } from './volume-fixture.js';

describe('extractVolume', () => {
  let sandbox: Awaited<ReturnType<typeof makeSandbox>>;
  const results: VolumeExtraction[] = [];
  beforeEach(async () => {
    sandbox = await makeSandbox();
  });
  afterEach(async () => {
    for (const result of results.splice(0)) await result.dispose();
    await sandbox.cleanup();
  });

  async function run(archive: Buffer, overrides: Partial<Parameters<typeof extractVolume>[1]> = {}): Promise<VolumeExtraction> {
    const result = await extractVolume(streamOf(archive), {
      barcode: '39015000000001',
      marc: true,
      ocr: true,
      tempDir: sandbox.staging,
      ...overrides,
    });
    results.push(result);
    return result;
  }

  it.each([
    ['in order', [1, 2, 4, 5, 6]],
    ['out of order', [6, 2, 5, 1, 4]],
  ])('extracts MARC columns and OCR lines from a volume in a sub-directory (%s)', async (_label, order) => {
    const archive = await buildTarGz(volumeEntries('39015000000001', order));
    const result = await run(archive);

    expect(result.entries).toBe(2 + order.length * 3 + 1);
    expect(result.marc).toMatchObject({ status: 'ok', fieldCount: 17, sourcePath: '39015000000001/39015000000001.xml' });
    expect(result.marc?.status === 'ok' && result.marc.columns).toEqual(EXPECTED_COLUMNS);

    const ocr = result.ocr;
    if (ocr?.status !== 'ok') throw new Error(`expected OCR, got ${JSON.stringify(ocr)}`);
    expect(ocr.pageCount).toBe(6);
    expect(ocr.fileName).toBe('39015000000001_ocr.jsonl.gz');
    expect(ocr.compressed).toBe(true);
    expect(ocr.skippedFiles).toBe(0);
    expect(ocr.jsonlPath).toBeNull(); // a small volume's OCR stays in memory
    const data = ocr.data!;
    expect(ocr.bytes).toBe(data.length);
    expect(data[0]).toBe(0x1f); // gzip magic
    expect(parseJsonl(data, true)).toEqual(EXPECTED_LINES);
    const raw = gunzipSync(data).toString('utf8');
    expect(raw).toContain('Ünïcödé'); // not \u-escaped
    expect(raw).toContain('😀');

    // Nothing went to disk: no images, no temp files, not even a work dir.
    expect(result.workDir).toBeNull();
    expect(await readdir(sandbox.staging)).toEqual([]);
    await result.dispose();
  });

  it('moves the OCR JSONL to a file in the work dir once it outgrows the memory budget', async () => {
    const archive = await buildTarGz(volumeEntries('39015000000001', [6, 2, 5, 1, 4]));
    const result = await run(archive, { maxOcrMemoryBytes: 10, maxHeldOcrBytes: 10 });
    const ocr = result.ocr;
    if (ocr?.status !== 'ok') throw new Error(`expected OCR, got ${JSON.stringify(ocr)}`);
    expect(ocr.data).toBeNull();
    const data = await readFile(ocr.jsonlPath!);
    expect(ocr.bytes).toBe(data.length);
    expect(parseJsonl(data, true)).toEqual(EXPECTED_LINES);
    // Only the JSONL is left in the volume's work dir (the page spill file is gone).
    expect(await readdir(result.workDir!)).toEqual(['39015000000001_ocr.jsonl.gz']);
    await result.dispose();
    expect(await readdir(sandbox.staging)).toEqual([]);
  });

  it('writes plain JSONL when compression is off, replacing invalid UTF-8', async () => {
    const invalid = Buffer.concat([Buffer.from('caf'), Buffer.from([0xc3]), Buffer.from(' ok '), Buffer.from([0xff, 0xfe]), Buffer.from('é')]);
    const archive = await buildTarGz([
      { name: '00000001.txt', content: invalid },
      { name: '00000002.txt', content: 'two' },
    ]);
    const result = await run(archive, { compressOcr: false, marc: false });
    expect(result.marc).toBeUndefined();
    const ocr = result.ocr;
    if (ocr?.status !== 'ok') throw new Error('expected OCR');
    expect(ocr.fileName).toBe('39015000000001_ocr.jsonl');
    const data = ocr.data!;
    expect(data.toString('utf8')).toBe('"caf\uFFFD ok \uFFFD\uFFFDé"\n"two"\n');
    expect(parseJsonl(data, false)).toEqual(['caf\uFFFD ok \uFFFD\uFFFDé', 'two']);
  });

  it('skips and counts .txt files that are not page files; first of a repeated number wins', async () => {
    const archive = await buildTarGz([
      { name: 'a/00000002.txt', content: 'two' },
      { name: 'b/00000002.txt', content: 'two again' },
      { name: '00000000.txt', content: 'zero' },
      { name: '01000000.txt', content: 'too high' },
      { name: '0000001.txt', content: 'seven digits' },
      { name: 'notes.txt', content: 'notes' },
      { name: '00000001.TXT', content: 'upper case' },
      { name: '00000003.html', content: '<p>not text</p>' },
    ]);
    const result = await run(archive, { marc: false });
    expect(result.ocr).toMatchObject({ status: 'ok', pageCount: 2, skippedFiles: 5 });
    if (result.ocr?.status !== 'ok') throw new Error('expected OCR');
    expect(parseJsonl(result.ocr.data!, true)).toEqual(['', 'two']);
  });

  it('reports volumes without MARC or OCR as such, leaving nothing behind', async () => {
    const archive = await buildTarGz([
      { name: 'readme.txt', content: 'hello' },
      { name: 'img/00000001.jp2', content: imageBytes(1000) },
    ]);
    const result = await run(archive);
    expect(result.marc).toEqual({ status: 'no_marc', reason: 'no_xml', xmlFiles: [] });
    expect(result.ocr).toEqual({ status: 'no_ocr', skippedFiles: 1 });
    expect(result.workDir).toBeNull();
    expect(await readdir(sandbox.staging)).toEqual([]);
  });

  it('tries every XML file until one has a record', async () => {
    const archive = await buildTarGz([
      { name: 'aaa.xml', content: '<?xml version="1.0"?><other><thing/></other>' },
      { name: 'broken.xml', content: '<mets:mets xmlns:mets="http://www.loc.gov/METS/"><unclosed>' },
      { name: 'misplaced.xml', content: metsXml({ controlfields: [['001', 'wrong']] }, { misplaced: true }) },
      { name: 'sub/BARCODE.xml', content: metsXml(RECORD, { metsPrefix: '', marcPrefix: 'marc' }) },
      { name: 'zzz.xml', content: metsXml({ controlfields: [['001', 'later']] }) },
    ]);
    const result = await run(archive, { ocr: false });
    expect(result.marc?.status).toBe('ok');
    if (result.marc?.status !== 'ok') throw new Error('expected MARC');
    expect(result.marc.columns).toEqual(EXPECTED_COLUMNS);
    expect(result.marc.sourcePath).toBe('sub/BARCODE.xml');
    expect(result.marc.xmlFiles.map((file) => [file.path, file.outcome])).toEqual([
      ['aaa.xml', 'no_record'],
      ['broken.xml', 'malformed'],
      ['misplaced.xml', 'no_record'],
      ['sub/BARCODE.xml', 'record'],
    ]);
  });

  it('reports no_marc when no XML file holds a record', async () => {
    const archive = await buildTarGz([{ name: 'a.xml', content: '<a/>' }]);
    const result = await run(archive, { ocr: false });
    expect(result.marc).toEqual({ status: 'no_marc', reason: 'no_record', xmlFiles: [{ path: 'a.xml', outcome: 'no_record' }] });
  });

  it('refuses a barcode that could act as a path, still draining its input', async () => {
    const input = streamOf(await buildTarGz([{ name: 'a.txt', content: 'a' }]));
    const ended = once(input, 'end');
    await expect(extractVolume(input, { barcode: '../x', marc: true, ocr: true, tempDir: sandbox.staging })).rejects.toThrow(TypeError);
    await ended;
    expect(await readdir(sandbox.staging)).toEqual([]);
  });

  it('spills out-of-order pages to disk beyond the memory budget and still writes them in order', async () => {
    const order = [1, ...Array.from({ length: 60 }, (_, i) => 62 - i)]; // 62..3 descending, 2 missing
    const text = (page: number): string => `page ${page} ` + 'x'.repeat(1000);
    const archive = await buildTarGz(order.map((page) => ({ name: pageName(page, 'txt'), content: text(page) })));
    const result = await run(archive, { marc: false, maxHeldOcrBytes: 8 * 1024 });
    if (result.ocr?.status !== 'ok') throw new Error('expected OCR');
    const lines = parseJsonl(result.ocr.data!, true);
    expect(lines).toEqual(Array.from({ length: 62 }, (_, i) => (i + 1 === 2 ? '' : text(i + 1))));
    expect(await readdir(result.workDir!)).toEqual([]); // spill file removed; the JSONL is in memory
  });
});
