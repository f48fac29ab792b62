import { Readable } from 'node:stream';
import { deflateRawSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CorruptArchiveError, readArchive } from '../../src/extract/index.js';
import { parseGzipHeader } from '../../src/extract/gzip-framing.js';
import { buildTar } from './archive-fixtures.js';

/** A gzip member written by hand, so every header field and the trailer can be chosen. */
function gzipMember(data: Buffer, header: { flags?: number; extra?: Buffer; name?: string; comment?: string; isize?: number } = {}): Buffer {
  const flags = header.flags ?? 0;
  const parts: Buffer[] = [Buffer.from([0x1f, 0x8b, 8, flags, 0, 0, 0, 0, 0, 3])];
  if (flags & 0x04) {
    const extra = header.extra ?? Buffer.alloc(0);
    const length = Buffer.alloc(2);
    length.writeUInt16LE(extra.length);
    parts.push(length, extra);
  }
  if (flags & 0x08) parts.push(Buffer.from(`${header.name ?? ''}\0`, 'latin1'));
  if (flags & 0x10) parts.push(Buffer.from(`${header.comment ?? ''}\0`, 'latin1'));
  if (flags & 0x02) parts.push(Buffer.from([0xab, 0xcd])); // header CRC: not checked by gunzip either
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(0x12345678, 0); // CRC-32: left to gpg's MDC
  trailer.writeUInt32LE(header.isize ?? data.length % 2 ** 32, 4);
  parts.push(deflateRawSync(data), trailer);
  return Buffer.concat(parts);
}

/** Feeds `archive` in 64 KiB chunks (as the tee does) and lists the entry names. */
async function names(archive: Buffer, verifyCrc = false): Promise<string[]> {
  const chunks: Buffer[] = [];
  for (let at = 0; at < archive.length; at += 65536) chunks.push(archive.subarray(at, at + 65536));
  const seen: string[] = [];
  await readArchive(
    Readable.from(chunks),
    (entry) => {
      seen.push(entry.path);
      return undefined;
    },
    { verifyCrc },
  );
  return seen;
}

const tarOf = (): Promise<Buffer> =>
  buildTar([
    { name: 'a.txt', content: Buffer.from('page one') },
    { name: 'b.jp2', content: Buffer.alloc(300_000, 7) },
  ]);

describe('gzip framing around the raw inflater', () => {
  it('reads archives whose gzip header carries extra field, name, comment and header CRC', async () => {
    const tarData = await tarOf();
    const archive = gzipMember(tarData, { flags: 0x02 | 0x04 | 0x08 | 0x10, extra: Buffer.alloc(300, 1), name: 'book.tar', comment: 'scanned' });
    expect(await names(archive)).toEqual(['a.txt', 'b.jp2']);
    expect(await names(gzipSync(tarData))).toEqual(['a.txt', 'b.jp2']);
  });

  it('refuses what gunzip would refuse: bad magic, method, reserved flags, a header cut short', () => {
    const cases: [Buffer, RegExp][] = [
      [Buffer.from('PK\u0003\u0004 not gzip at all'), /not gzip/],
      [Buffer.from([0x1f, 0x8b, 7, 0, 0, 0, 0, 0, 0, 3]), /compression method 7/],
      [Buffer.from([0x1f, 0x8b, 8, 0x20, 0, 0, 0, 0, 0, 3]), /reserved header flags/],
      [Buffer.from([0x1f, 0x8b, 8, 0x08, 0, 0, 0, 0, 0, 3, 0x41, 0x42]), /ends inside the gzip header/],
      [Buffer.from([0x1f, 0x8b, 8]), /ends inside the gzip header/],
    ];
    for (const [data, message] of cases) expect(() => parseGzipHeader(data)).toThrow(message);
  });

  it('fails a volume whose trailer is missing, disagrees with the size, or is followed by more data', async () => {
    const tarData = await tarOf();
    const archive = gzipMember(tarData);
    const cases: [Buffer, RegExp][] = [
      [archive.subarray(0, archive.length - 3), /ends inside the gzip trailer/],
      [gzipMember(tarData, { isize: tarData.length + 512 }), /trailer gives \d+ bytes, \d+ were inflated/],
      [Buffer.concat([archive, gzipSync(Buffer.from('second member'))]), /bytes follow the gzip member/],
      [Buffer.concat([archive, Buffer.from('junk')]), /4 bytes follow the gzip member/],
    ];
    for (const [data, message] of cases) {
      const error = await names(data).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CorruptArchiveError);
      expect((error as Error).message).toMatch(message);
    }
  });

  it('checks the CRC-32 when asked (runs that accept archives without integrity protection)', async () => {
    const tarData = await tarOf();
    const wrongCrc = gzipMember(tarData); // its trailer carries a made-up CRC
    expect(await names(wrongCrc)).toEqual(['a.txt', 'b.jp2']);
    const error = await names(wrongCrc, true).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptArchiveError);
    expect((error as Error).message).toMatch(/incorrect data check/);
    expect(await names(gzipSync(tarData), true)).toEqual(['a.txt', 'b.jp2']);
  });
});
