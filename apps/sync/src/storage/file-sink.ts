import { createHash, type Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';

export interface FileSinkOptions {
  /**
   * Hash what is written (SHA-256, on the main thread: ~1 CPU-s per GB without SHA extensions).
   * Default false.
   */
  sha256?: boolean;
}

/**
 * A Writable that creates `path` exclusively, counts (and optionally hashes) what it writes, and
 * fsyncs and closes the file when the producer ends the stream ('finish' means the bytes are durable).
 */
export class FileSink extends Writable {
  readonly path: string;
  bytes = 0;
  private fh: FileHandle | undefined;
  private readonly hash: Hash | undefined;

  constructor(path: string, options: FileSinkOptions = {}) {
    super({ highWaterMark: 1 << 20 });
    this.path = path;
    this.hash = options.sha256 === true ? createHash('sha256') : undefined;
  }

  /** Hex SHA-256 of everything written (valid after 'finish'), or undefined when not hashing. */
  digest(): string | undefined {
    return this.hash?.copy().digest('hex');
  }

  override _construct(callback: (error?: Error | null) => void): void {
    open(this.path, 'wx', 0o644).then(
      (fh) => {
        this.fh = fh;
        callback();
      },
      (err: Error) => callback(err),
    );
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.writeAll([chunk]).then(() => callback(), (err: Error) => callback(err));
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    this.writeAll(chunks.map((c) => c.chunk)).then(() => callback(), (err: Error) => callback(err));
  }

  override _final(callback: (error?: Error | null) => void): void {
    const fh = this.fh;
    if (fh === undefined) return callback();
    this.fh = undefined;
    fh.sync()
      .then(() => fh.close())
      .then(() => callback(), (err: Error) => fh.close().then(() => callback(err), () => callback(err)));
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const fh = this.fh;
    this.fh = undefined;
    if (fh === undefined) return callback(error);
    fh.close().then(() => callback(error), () => callback(error));
  }

  private async writeAll(buffers: Buffer[]): Promise<void> {
    const fh = this.fh;
    if (fh === undefined) throw new Error(`file sink ${this.path} is closed`);
    let total = 0;
    for (const b of buffers) {
      this.hash?.update(b);
      total += b.length;
    }
    let { bytesWritten } = await fh.writev(buffers);
    // Short writes are rare on regular files but legal; finish the remainder explicitly.
    if (bytesWritten < total) {
      const rest = Buffer.concat(buffers).subarray(bytesWritten);
      let off = 0;
      while (off < rest.length) {
        const r = await fh.write(rest, off, rest.length - off);
        off += r.bytesWritten;
      }
      bytesWritten = total;
    }
    this.bytes += total;
  }
}
