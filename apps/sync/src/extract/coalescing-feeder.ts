import { Writable } from 'node:stream';
import type { GzipFraming } from './gzip-framing.js';

/**
 * Buffers kept for reuse, shared by every feeder of the process (each volume would otherwise
 * allocate fresh ones: measured, the page faults of fresh buffers made the copy cost 3x).
 */
const POOL_MAX = 32;
const pools = new Map<number, Buffer[]>();

/** What a feeder does beside coalescing. */
export interface CoalescingFeederOptions {
  /** The input is a gzip member, `target` a raw inflater: the header is cut off, the trailer kept. */
  framing?: GzipFraming;
  /** A bad gzip header: the feeder then discards the rest (see `discard`) instead of failing. */
  onFailure?: (error: Error) => void;
}

/**
 * Writes into `target` (the inflater) in pieces of `size` bytes, copying the smaller chunks that
 * arrive (the decrypted stream comes in 32-64 KiB pipe reads) into pooled buffers. Node's zlib
 * costs a thread-pool round trip per written chunk: measured on simulator archives, gunzip takes
 * 1.25 CPU s/GB with 40 KB writes and 0.81 with 256 KiB writes. A buffer goes back to the pool once
 * the target called back for it (zlib no longer reads it then), so no memory is allocated per
 * chunk. Ends the target when it ends.
 *
 * It is the extraction's end of the tee: it never fails its writer on its own. After `discard()`
 * (the extraction failed) it accepts and drops everything, so the store beside it never stalls.
 */
export class CoalescingFeeder extends Writable {
  private readonly pool: Buffer[];
  private current: Buffer | null = null;
  private filled = 0;
  private headerCut = false;
  private discarding = false;
  /** The writer's callback, held while the target drains. */
  private waiting: (() => void) | null = null;

  constructor(
    private readonly target: Writable,
    private readonly size: number,
    private readonly options: CoalescingFeederOptions = {},
  ) {
    super({ highWaterMark: size });
    let pool = pools.get(size);
    if (pool === undefined) {
      pool = [];
      pools.set(size, pool);
    }
    this.pool = pool;
  }

  /** From now on accept and drop every write; release a writer waiting for the target. */
  discard(): void {
    if (this.discarding) return;
    this.discarding = true;
    if (this.current !== null && this.pool.length < POOL_MAX) this.pool.push(this.current);
    this.current = null;
    this.filled = 0;
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.discarding) {
      callback();
      return;
    }
    try {
      this.options.framing?.observe(chunk);
      this.take(chunk, callback);
    } catch (error) {
      this.fail(error as Error);
      callback();
    }
  }

  private take(chunk: Buffer, callback: () => void): void {
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
    if (!this.discarding) {
      try {
        if (this.current !== null && this.filled > 0) this.forward(this.current.subarray(0, this.filled), false);
        // An empty input still needs its (missing) header judged.
        else if (!this.headerCut) this.forward(Buffer.alloc(0), false);
        this.current = null;
        this.filled = 0;
        this.target.end();
      } catch (error) {
        this.fail(error as Error);
      }
    }
    callback();
  }

  private fail(error: Error): void {
    this.discard();
    this.options.onFailure?.(error);
  }

  /** Writes `buf`; recycles it once written when it is a pooled buffer; calls `done` when the target wants more. */
  private forward(buf: Buffer, pooled: boolean, done?: () => void): void {
    let data = buf;
    if (!this.headerCut) {
      this.headerCut = true;
      if (this.options.framing !== undefined) data = buf.subarray(this.options.framing.headerLength(buf));
    }
    const more = this.target.write(data, () => {
      if (pooled && this.pool.length < POOL_MAX) this.pool.push(buf);
    });
    if (done === undefined) return;
    if (more) {
      done();
      return;
    }
    this.waiting = done;
    this.target.once('drain', () => {
      const waiting = this.waiting;
      this.waiting = null;
      waiting?.();
    });
  }
}
