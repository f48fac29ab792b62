import { promisify } from 'node:util';
import * as zlib from 'node:zlib';

const deflateRaw = promisify(zlib.deflateRaw);
/** gzip member header: deflate, no flags, mtime 0 (reproducible), OS = Unix. */
const HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03]);
/** An empty stored block with BFINAL set. */
const FINAL_BLOCK = Buffer.from([0x01, 0x00, 0x00, 0xff, 0xff]);
const MAX_STORED = 65535;
const TEXT_BATCH = 1024 * 1024;

const crc32: (data: Buffer, value: number) => number =
  (zlib as { crc32?: (data: Buffer, value: number) => number }).crc32 ?? crc32Js;

/**
 * One gzip member mixing compressed and stored deflate blocks. Text goes through zlib (each batch
 * ends with a sync flush, so it is byte-aligned and not final); incompressible image bytes are
 * framed as stored blocks at memcpy speed. zlib itself deflates random data at ~30 MB/s, and
 * switching its level mid-stream with params() stays that slow.
 */
export class MixedGzipWriter {
  private crc = 0;
  private size = 0;
  private text: Buffer[] = [];
  private textBytes = 0;
  private started = false;

  constructor(
    private readonly sink: (chunk: Buffer) => Promise<void>,
    private readonly level = 6,
  ) {}

  async compressible(chunk: Buffer): Promise<void> {
    await this.start();
    this.account(chunk);
    this.text.push(chunk);
    this.textBytes += chunk.length;
    if (this.textBytes >= TEXT_BATCH) await this.flushText();
  }

  async stored(chunk: Buffer): Promise<void> {
    await this.start();
    await this.flushText();
    this.account(chunk);
    const blocks = Math.ceil(chunk.length / MAX_STORED);
    const out = Buffer.allocUnsafe(chunk.length + blocks * 5);
    let at = 0;
    for (let from = 0; from < chunk.length; from += MAX_STORED) {
      const len = Math.min(MAX_STORED, chunk.length - from);
      out[at] = 0x00;
      out.writeUInt16LE(len, at + 1);
      out.writeUInt16LE(len ^ 0xffff, at + 3);
      chunk.copy(out, at + 5, from, from + len);
      at += 5 + len;
    }
    await this.sink(out);
  }

  async finish(): Promise<void> {
    await this.start();
    await this.flushText();
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(this.crc >>> 0, 0);
    trailer.writeUInt32LE(this.size % 4294967296, 4);
    await this.sink(Buffer.concat([FINAL_BLOCK, trailer]));
  }

  private async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.sink(HEADER);
  }

  private account(chunk: Buffer): void {
    this.crc = crc32(chunk, this.crc);
    this.size += chunk.length;
  }

  private async flushText(): Promise<void> {
    if (this.textBytes === 0) return;
    const data = this.text.length === 1 ? (this.text[0] as Buffer) : Buffer.concat(this.text);
    this.text = [];
    this.textBytes = 0;
    await this.sink(await deflateRaw(data, { level: this.level, finishFlush: zlib.constants.Z_SYNC_FLUSH }));
  }
}

let table: Int32Array | undefined;

/** Fallback for Node < 20.15 (no zlib.crc32). */
function crc32Js(data: Buffer, value: number): number {
  if (!table) {
    table = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c;
    }
  }
  let crc = ~value;
  for (let i = 0; i < data.length; i++) crc = (table[(crc ^ (data[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  return ~crc >>> 0;
}
