import { Writable } from 'node:stream';
import type { GzipFraming } from './gzip-framing.js';

/**
 * Buffers kept for reuse, shared by every feeder of the process (each volume would otherwise
 * allocate fresh ones: measured, the page faults of fresh buffers made the copy cost 3x).
 */
const POOL_MAX = 32;
const pools = new Map<number, Buffer[]>();

/**
 * Writes into `target` (the gunzip) in pieces of `size` bytes, copying the smaller chunks that
 * arrive (the decrypted stream comes in 32-64 KiB pipe reads) into pooled buffers. Node's zlib
 * costs a thread-pool round trip per written chunk: measured on simulator archives, gunzip takes
 * 1.25 CPU s/GB with 40 KB writes and 0.81 with 256 KiB writes. A buffer goes back to the pool once
 * the target called back for it (zlib no longer reads it then), so no memory is allocated per
 * chunk. Ends the target when it ends.
 *
 * With `framing`, the input is a gzip member and the target a raw inflater: every input chunk is
 * shown to the framing (for the trailer) and the gzip header is cut off the first piece.
 */
export class CoalescingFeeder extends Writable {
  private readonly pool: Buffer[];
  private current: Buffer | null = null;
  private filled = 0;
  private headerCut = false;

  constructor(
    private readonly target: Writable,
    private readonly size: number,
    private readonly framing: GzipFraming | null = null,
  ) {
    super({ highWaterMark: size });
    let pool = pools.get(size);
    if (pool === undefined) {
      pool = [];
      pools.set(size, pool);
    }
    this.pool = pool;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    try {
      this.framing?.observe(chunk);
      this.take(chunk, callback);
    } catch (error) {
      callback(error as Error);
    }
  }

  private take(chunk: Buffer, callback: (error?: Error | null) => void): void {
    if (this.filled === 0 && chunk.length >= this.size) {
      this.forward(chunk, false, callback);
      return;
    }
    let offset = 0;
    let full: Buffer | null = null;
    while (offset < chunk.length) {
      if (full !== null) this.forward(full, true);
      this.current ??= this.pool.pop() ?? Buffer.allocUnsafeSlow(this.size);
      const n = chunk.copy(this.current, this.filled, offset);
      this.filled += n;
      offset += n;
      full = null;
      if (this.filled === this.size) {
        full = this.current;
        this.current = null;
        this.filled = 0;
      }
    }
    if (full !== null) this.forward(full, true, callback);
    else callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    try {
      if (this.current !== null && this.filled > 0) this.forward(this.current.subarray(0, this.filled), false);
      // An empty input still needs its (missing) header judged.
      else if (!this.headerCut) this.forward(Buffer.alloc(0), false);
    } catch (error) {
      callback(error as Error);
      return;
    }
    this.current = null;
    this.filled = 0;
    this.target.end();
    callback();
  }

  /** Writes `buf`; recycles it once written when it is a pooled buffer; calls `done` when the target wants more. */
  private forward(buf: Buffer, pooled: boolean, done?: (error?: Error | null) => void): void {
    let data = buf;
    if (!this.headerCut) {
      this.headerCut = true;
      if (this.framing !== null) data = buf.subarray(this.framing.headerLength(buf));
    }
    const more = this.target.write(data, () => {
      if (pooled && this.pool.length < POOL_MAX) this.pool.push(buf);
    });
    if (done === undefined) return;
    if (more) done();
    else this.target.once('drain', () => done());
  }
}
