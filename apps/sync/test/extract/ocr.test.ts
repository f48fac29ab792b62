import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OcrJsonlWriter, OcrPageAssembler, ocrPageNumber } from '../../src/extract/index.js';
import { makeSandbox, parseJsonl } from './archive-fixtures.js';

describe('ocrPageNumber', () => {
  it.each([
    ['00000001.txt', 1],
    ['00000123.txt', 123],
    ['00999999.txt', 999_999],
    ['01000000.txt', null],
    ['00000000.txt', null],
    ['0000001.txt', null],
    ['000000001.txt', null],
    ['00000001.TXT', null],
    ['00000001.txt.bak', null],
    ['x00000001.txt', null],
    ['0000000a.txt', null],
    ['00000001.html', null],
  ])('%s -> %s', (name, expected) => {
    expect(ocrPageNumber(name)).toBe(expected);
  });
});

describe('OcrPageAssembler', () => {
  let sandbox: Awaited<ReturnType<typeof makeSandbox>>;
  beforeEach(async () => {
    sandbox = await makeSandbox();
  });
  afterEach(async () => {
    await sandbox.cleanup();
  });

  async function assemble(pages: [number, string][], maxHeldBytes?: number): Promise<{ emitted: string[]; count: number; emittedAtFinish: number }> {
    const emitted: string[] = [];
    const assembler = new OcrPageAssembler({
      emit: async (text) => {
        emitted.push(text);
      },
      spillPath: join(sandbox.staging, 'spill'),
      ...(maxHeldBytes === undefined ? {} : { maxHeldBytes }),
    });
    for (const [page, text] of pages) {
      expect(assembler.has(page)).toBe(false);
      await assembler.add(page, text);
      expect(assembler.has(page)).toBe(true);
    }
    const before = emitted.length;
    const count = await assembler.finish();
    await assembler.dispose();
    return { emitted, count, emittedAtFinish: count - before };
  }

  it('emits in-order pages immediately, holding nothing', async () => {
    const result = await assemble([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ]);
    expect(result).toEqual({ emitted: ['a', 'b', 'c'], count: 3, emittedAtFinish: 0 });
  });

  it('fills leading and inner gaps with empty strings', async () => {
    const result = await assemble([
      [3, 'c'],
      [6, 'f'],
      [4, 'd'],
    ]);
    expect(result.emitted).toEqual(['', '', 'c', 'd', '', 'f']);
    expect(result.count).toBe(6);
  });

  it('reorders pages and releases them as soon as the sequence is complete', async () => {
    const emitted: string[] = [];
    const assembler = new OcrPageAssembler({ emit: async (text) => void emitted.push(text), spillPath: join(sandbox.staging, 'spill') });
    await assembler.add(2, 'b');
    await assembler.add(3, 'c');
    expect(emitted).toEqual([]);
    await assembler.add(1, 'a');
    expect(emitted).toEqual(['a', 'b', 'c']);
    expect(await assembler.finish()).toBe(3);
  });

  it('spills held pages beyond the budget and removes the spill file', async () => {
    const text = (page: number): string => `${page}:` + 'é'.repeat(300);
    const pages: [number, string][] = Array.from({ length: 50 }, (_, i) => [50 - i, text(50 - i)]);
    const emitted: string[] = [];
    const spillPath = join(sandbox.staging, 'spill');
    const assembler = new OcrPageAssembler({ emit: async (t) => void emitted.push(t), spillPath, maxHeldBytes: 2000 });
    for (const [page, t] of pages.slice(0, 49)) await assembler.add(page, t);
    expect(await readdir(sandbox.staging)).toEqual(['spill']); // held pages went to disk
    await assembler.add(1, text(1));
    expect(await assembler.finish()).toBe(50);
    expect(emitted).toEqual(Array.from({ length: 50 }, (_, i) => text(i + 1)));
    await assembler.dispose();
    expect(await readdir(sandbox.staging)).toEqual([]);
  });
});

describe('OcrJsonlWriter', () => {
  let sandbox: Awaited<ReturnType<typeof makeSandbox>>;
  beforeEach(async () => {
    sandbox = await makeSandbox();
  });
  afterEach(async () => {
    await sandbox.cleanup();
  });

  it('writes one JSON string per line, escaping only what JSON requires', async () => {
    const path = join(sandbox.staging, 'x.jsonl');
    const writer = new OcrJsonlWriter(path, { compress: false });
    const pages = ['plain', 'line\nbreak "quoted" \\ \t', 'ünïcödé ✓ 😀', '', '\u0001control\u2028sep'];
    for (const page of pages) await writer.writePage(page);
    const output = await writer.close();
    expect(output.path).toBeNull(); // small: kept in memory, no file made
    expect(await readdir(sandbox.staging)).toEqual([]);
    const data = output.data!;
    expect(output.bytes).toBe(data.length);
    expect(data.toString('utf8').split('\n')[2]).toBe('"ünïcödé ✓ 😀"');
    expect(parseJsonl(data, false)).toEqual(pages);
  });

  it('streams the gzip once the text is too large to compress in one go at the end', async () => {
    const writer = new OcrJsonlWriter(join(sandbox.staging, 'big.jsonl.gz'));
    const pages = Array.from({ length: 400 }, (_, i) => `page ${i} ` + 'ü word '.repeat(600)); // ~2 MiB of text
    for (const page of pages) await writer.writePage(page);
    const output = await writer.close();
    expect(output.path).toBeNull();
    expect(output.bytes).toBe(output.data!.length);
    expect(parseJsonl(output.data!, true)).toEqual(pages);
  });

  it('gzips at level 1 by default, goes to the file beyond the memory budget, never overwrites it', async () => {
    const path = join(sandbox.staging, 'x.jsonl.gz');
    const writer = new OcrJsonlWriter(path, { maxMemoryBytes: 100 });
    for (let i = 0; i < 3000; i += 1) await writer.writePage(`page ${i} `.repeat(20));
    const output = await writer.close();
    expect(output).toMatchObject({ data: null, path });
    const data = await readFile(path);
    expect(output.bytes).toBe(data.length);
    expect(data.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(parseJsonl(data, true)).toHaveLength(3000);
    const again = new OcrJsonlWriter(path, { maxMemoryBytes: 0 });
    await again.writePage('x');
    await expect(again.close()).rejects.toMatchObject({ code: 'EEXIST' });
  });
});
