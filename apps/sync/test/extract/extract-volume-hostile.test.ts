import { readdir, stat } from 'node:fs/promises';
import { PassThrough, Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CorruptArchiveError,
  ExtractionAbortedError,
  extractVolume,
  UnsafeArchiveError,
  UnsafeXmlError,
  type VolumeExtraction,
} from '../../src/extract/index.js';
import { buildTar, buildTarGz, imageBytes, makeSandbox, metsXml, pageName, streamOf, type TestEntry } from './archive-fixtures.js';
import { RECORD, volumeEntries } from './volume-fixture.js';

describe('extractVolume on hostile, corrupt or interrupted input', () => {
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

  describe('refuses hostile archives, leaving nothing outside or inside the staging area', () => {
    const good: TestEntry[] = [
      { name: 'vol/BARCODE.xml', content: metsXml(RECORD) },
      { name: 'vol/00000001.txt', content: 'page one' },
      { name: 'vol/00000001.jp2', content: imageBytes(5000) },
    ];
    const cases: [string, TestEntry[], new (...args: never[]) => Error, string][] = [
      ['a ../ entry', [{ name: 'vol/../../escape.txt', content: 'x' }], UnsafeArchiveError, 'archive_unsafe'],
      ['an absolute path', [{ name: '/tmp/grin-absolute-escape.txt', content: 'x' }], UnsafeArchiveError, 'archive_unsafe'],
      ['a symlink escaping', [{ name: 'vol/evil', type: 'symlink', linkname: '../../etc/passwd' }], UnsafeArchiveError, 'archive_unsafe'],
      ['an absolute symlink', [{ name: 'vol/evil', type: 'symlink', linkname: '/etc/passwd' }], UnsafeArchiveError, 'archive_unsafe'],
      ['a hardlink escaping', [{ name: 'vol/hard', type: 'link', linkname: '../outside.txt' }], UnsafeArchiveError, 'archive_unsafe'],
      ['a device file', [{ name: 'vol/null', type: 'character-device' }], UnsafeArchiveError, 'archive_unsafe'],
      ['a block device', [{ name: 'vol/sda', type: 'block-device' }], UnsafeArchiveError, 'archive_unsafe'],
      ['a FIFO', [{ name: 'vol/pipe', type: 'fifo' }], UnsafeArchiveError, 'archive_unsafe'],
      [
        'a METS with an external entity',
        [{ name: 'vol/evil.xml', content: metsXml(RECORD, { prolog: '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n' }).replace('Annalen', '&e;Annalen') }],
        UnsafeXmlError,
        'xml_unsafe',
      ],
    ];
    it.each(cases)('%s', async (_label, hostile, errorClass, code) => {
      // The hostile entry comes after good content (partial output exists) and, for XML, first.
      const entries = errorClass === UnsafeXmlError ? [...hostile, ...good] : [...good, ...hostile];
      const before = await sandbox.listing();
      const error = await run(await buildTarGz(entries)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(errorClass);
      expect((error as { code: string }).code).toBe(code);
      expect((error as Error).message).toContain(hostile[0]!.name);
      expect(await sandbox.listing()).toEqual(before);
      expect(await readdir(sandbox.staging)).toEqual([]);
      await expect(stat('/tmp/grin-absolute-escape.txt')).rejects.toThrow();
    });
  });

  it('refuses a symlink chain that resolves outside through another link', async () => {
    const archive = await buildTarGz([
      { name: 'a/', type: 'directory' },
      { name: 'a/b', type: 'symlink', linkname: '..' },
      { name: 'q', type: 'symlink', linkname: 'a/b/..' },
      { name: '00000001.txt', content: 'x' },
    ]);
    const error = await run(archive).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsafeArchiveError);
    expect((error as UnsafeArchiveError).entry).toBe('q');
    expect(await readdir(sandbox.staging)).toEqual([]);
  });

  it('fails on corrupt gzip and truncated archives with archive_corrupt', async () => {
    const archive = await buildTarGz([{ name: '00000001.txt', content: imageBytes(10_000) }]);
    const corrupt = Buffer.from(archive);
    corrupt.fill(0x55, 20, 60);
    const cases = [Buffer.from('this is not gzip at all'), corrupt, archive.subarray(0, archive.length - 30), Buffer.alloc(0)];
    for (const data of cases) {
      const error = await run(data).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CorruptArchiveError);
      expect((error as CorruptArchiveError).code).toBe('archive_corrupt');
    }
    const notTar = gzipSync(Buffer.alloc(2048, 0x41));
    await expect(run(notTar)).rejects.toBeInstanceOf(CorruptArchiveError);
    expect(await readdir(sandbox.staging)).toEqual([]);
  });

  // Guards the whole path (tar-stream's own end-of-data error, the entry streams' checks) for both
  // kinds of entry: a read one goes through its sink, a skipped one is drained.
  it('fails with archive_corrupt when valid gzip holds a tar cut inside a read or a skipped entry', async () => {
    for (const name of ['00000002.txt', '00000002.jp2']) {
      const tar = await buildTar([
        { name: '00000001.txt', content: 'page one' },
        { name, content: imageBytes(20_000) },
      ]);
      const error = await run(gzipSync(tar.subarray(0, 512 + 512 + 512 + 10_000))).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CorruptArchiveError);
      expect((error as CorruptArchiveError).code).toBe('archive_corrupt');
    }
  });

  it('drains its input to the end, also when it refuses the archive, so a tee never stalls', async () => {
    const hostile = await buildTarGz([
      { name: 'evil', type: 'symlink', linkname: '/etc' },
      ...Array.from({ length: 40 }, (_, i) => ({ name: pageName(i + 1, 'jp2'), content: imageBytes(50_000) })),
    ]);
    // A tee: one source, two PassThroughs with small buffers; the "store" branch counts bytes.
    const source = streamOf(hostile, 16 * 1024);
    const storeBranch = new PassThrough({ highWaterMark: 1024 });
    const extractBranch = new PassThrough({ highWaterMark: 1024 });
    source.on('data', (chunk: Buffer) => {
      const a = storeBranch.write(chunk);
      const b = extractBranch.write(chunk);
      if (!a || !b) {
        source.pause();
        let waiting = (a ? 0 : 1) + (b ? 0 : 1);
        const resume = (): void => {
          waiting -= 1;
          if (waiting === 0) source.resume();
        };
        if (!a) storeBranch.once('drain', resume);
        if (!b) extractBranch.once('drain', resume);
      }
    });
    source.on('end', () => {
      storeBranch.end();
      extractBranch.end();
    });
    let stored = 0;
    const storeDone = (async () => {
      for await (const chunk of storeBranch) stored += (chunk as Buffer).length;
    })();
    const error = await extractVolume(extractBranch, { barcode: 'B1', marc: true, ocr: true, tempDir: sandbox.staging }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsafeArchiveError);
    await storeDone;
    expect(stored).toBe(hostile.length);
  });

  it('stops with extraction_aborted when its signal fires, leaving nothing behind', async () => {
    const archive = await buildTarGz(volumeEntries('v', [1, 2, 4, 5, 6]));
    const controller = new AbortController();
    let fed = 0;
    const input = new Readable({
      read() {
        if (fed >= archive.length) {
          this.push(null);
          return;
        }
        const chunk = archive.subarray(fed, fed + 4096);
        fed += chunk.length;
        if (fed > archive.length / 2) controller.abort(new Error('user pressed Ctrl-C'));
        this.push(chunk);
      },
    });
    const error = await extractVolume(input, { barcode: 'B1', marc: true, ocr: true, tempDir: sandbox.staging, signal: controller.signal }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ExtractionAbortedError);
    expect((error as ExtractionAbortedError).retryable).toBe(true);
    expect(await readdir(sandbox.staging)).toEqual([]);
  });

  it("passes the input stream's own error through unchanged and cleans up", async () => {
    const archive = await buildTarGz(volumeEntries('v', [1, 2]));
    const upstream = new Error('gpg exited with status 2');
    let sent = false;
    const input = new Readable({
      read() {
        if (sent) {
          this.destroy(upstream);
          return;
        }
        sent = true;
        this.push(archive.subarray(0, Math.floor(archive.length / 2)));
      },
    });
    const error = await extractVolume(input, { barcode: 'B1', marc: true, ocr: true, tempDir: sandbox.staging }).catch((e: unknown) => e);
    expect(error).toBe(upstream);
    expect(await readdir(sandbox.staging)).toEqual([]);
  });

});
