import { CorruptArchiveError } from './extract-errors.js';

/** gzip header flags (RFC 1952, 2.3.1). */
const FHCRC = 0x02;
const FEXTRA = 0x04;
const FNAME = 0x08;
const FCOMMENT = 0x10;
const RESERVED = 0xe0;
const FIXED_HEADER = 10;
const TRAILER = 8;

/**
 * The gzip wrapper around the archive's deflate data, handled here so the deflate data itself can
 * go through a raw inflater: gunzip checks a CRC-32 of every plaintext byte (~0.4 CPU s/GB, a
 * quarter of the extraction's cost). That check is skipped only for bytes gpg is decrypting with
 * its integrity check (MDC) on; an archive read back from storage, and every archive of a run that
 * accepts legacy ones without MDC, go through a full gunzip instead (ReadArchiveOptions.verifyCrc).
 * Without the CRC, this still catches a bad header, bad deflate data (the inflater), and a missing
 * trailer, a size that disagrees with it, or data after it (`finish`); a change that keeps the
 * length and the deflate data decodable would pass, which the MDC rules out.
 *
 * One gzip member is read, as GRIN writes them; an archive of several concatenated members is
 * refused as corrupt rather than half-read (the full gunzip of the CRC mode reads them all).
 */
export class GzipFraming {
  private headerBytes = -1;
  private inputBytes = 0;
  private readonly tail = Buffer.alloc(TRAILER);
  private tailBytes = 0;

  /**
   * Called with the first piece of input (a full piece of the feeder, or all of a smaller archive): returns
   * the header's length, where the deflate data starts. Throws CorruptArchiveError when it is not
   * a gzip header or the piece ends inside it.
   */
  headerLength(first: Buffer): number {
    this.headerBytes = parseGzipHeader(first);
    return this.headerBytes;
  }

  /** Every input chunk, in order, to keep the last 8 bytes (the trailer) and the total. */
  observe(chunk: Buffer): void {
    this.inputBytes += chunk.length;
    if (chunk.length >= TRAILER) {
      chunk.copy(this.tail, 0, chunk.length - TRAILER);
      this.tailBytes = TRAILER;
      return;
    }
    const keep = Math.min(this.tailBytes, TRAILER - chunk.length);
    this.tail.copyWithin(0, this.tailBytes - keep, this.tailBytes);
    chunk.copy(this.tail, keep);
    this.tailBytes = keep + chunk.length;
  }

  /**
   * After the inflater ended: `deflateBytes` is the deflate data it consumed, `plainBytes` what it
   * produced. Throws CorruptArchiveError unless exactly the trailer follows the deflate data and
   * its size field matches.
   */
  finish(deflateBytes: number, plainBytes: number): void {
    if (this.headerBytes < 0) throw new CorruptArchiveError('the archive is not valid gzip data: it is empty');
    const expected = this.headerBytes + deflateBytes + TRAILER;
    if (this.inputBytes < expected) {
      throw new CorruptArchiveError('the archive is not valid gzip data: it ends inside the gzip trailer (truncated)');
    }
    if (this.inputBytes > expected) {
      throw new CorruptArchiveError(
        `the archive is not valid gzip data: ${this.inputBytes - expected} bytes follow the gzip member (a second member or trailing garbage)`,
      );
    }
    const size = this.tail.readUInt32LE(4);
    if (size !== plainBytes % 2 ** 32) {
      throw new CorruptArchiveError(`the archive is not valid gzip data: its trailer gives ${size} bytes, ${plainBytes} were inflated`);
    }
  }
}

/** Length of the gzip member header at the start of `buf` (RFC 1952, 2.3). */
export function parseGzipHeader(buf: Buffer): number {
  const bad = (why: string): CorruptArchiveError => new CorruptArchiveError(`the archive is not valid gzip data: ${why}`);
  if (buf.length < FIXED_HEADER) throw bad(buf.length === 0 ? 'it is empty' : 'it ends inside the gzip header');
  if (buf[0] !== 0x1f || buf[1] !== 0x8b) throw bad('incorrect header check (not gzip)');
  if (buf[2] !== 8) throw bad(`unknown compression method ${buf[2]}`);
  const flags = buf[3] as number;
  if ((flags & RESERVED) !== 0) throw bad('reserved header flags are set');
  let at = FIXED_HEADER;
  const need = (n: number): void => {
    if (at + n > buf.length) throw bad('it ends inside the gzip header');
  };
  if (flags & FEXTRA) {
    need(2);
    at += 2 + buf.readUInt16LE(at);
  }
  for (const flag of [FNAME, FCOMMENT]) {
    if ((flags & flag) === 0) continue;
    const end = buf.indexOf(0, at);
    if (end < 0) throw bad('it ends inside the gzip header');
    at = end + 1;
  }
  if (flags & FHCRC) at += 2;
  need(0);
  return at;
}
