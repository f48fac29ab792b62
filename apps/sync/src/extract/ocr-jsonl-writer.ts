import { createWriteStream, type WriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { createGzip } from 'node:zlib';

export interface OcrJsonlWriterOptions {
  /** gzip the output (default true). */
  compress?: boolean;
  /** gzip level (default 1, as the earlier tool: OCR text compresses well even at 1). */
  level?: number;
}

/** Lines are gathered up to this size before a write, to keep per-page overhead low. */
const BATCH_BYTES = 64 * 1024;
/**
 * Output queued in the stream before a write waits for it to drain. Far above the streams'
 * 16 KiB default on purpose: waiting stalls the tar parser, and a whole book's OCR is a few MB.
 */
const MAX_QUEUED_BYTES = 8 * 1024 * 1024;

/**
 * Writes page texts as JSON Lines (one JSON string per page, non-ASCII kept as is), optionally
 * gzip'd, to a new file (`wx`: never overwrites). Pages must be given in order.
 */
export class OcrJsonlWriter {
  private readonly file: WriteStream;
  private readonly head: Writable;
  private batch: string[] = [];
  private batchLength = 0;
  private failure: Error | null = null;
  private lines = 0;

  constructor(readonly path: string, options: OcrJsonlWriterOptions = {}) {
    this.file = createWriteStream(path, { flags: 'wx' });
    this.file.on('error', (error) => this.fail(error));
    if (options.compress ?? true) {
      const gzip = createGzip({ level: options.level ?? 1 });
      gzip.on('error', (error) => this.fail(error));
      gzip.pipe(this.file);
      this.head = gzip;
    } else {
      this.head = this.file;
    }
  }

  /** Lines written so far. */
  get lineCount(): number {
    return this.lines;
  }

  /** Appends one page's text as a line. */
  async writePage(text: string): Promise<void> {
    this.throwIfFailed();
    const line = `${JSON.stringify(text)}\n`;
    this.batch.push(line);
    this.batchLength += line.length;
    this.lines += 1;
    if (this.batchLength >= BATCH_BYTES) await this.flush();
  }

  /** Flushes and closes the file; resolves with its size in bytes. */
  async close(): Promise<number> {
    await this.flush();
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.file.once('error', onError);
      this.file.once('close', () => {
        this.file.off('error', onError);
        if (this.failure) reject(this.failure);
        else resolve();
      });
      this.head.end();
    });
    return this.file.bytesWritten;
  }

  /** Stops writing and closes the file descriptor (the caller removes the file). */
  async destroy(): Promise<void> {
    if (this.file.closed) return;
    await new Promise<void>((resolve) => {
      this.file.once('close', () => resolve());
      this.head.destroy();
      this.file.destroy();
    });
  }

  private async flush(): Promise<void> {
    this.throwIfFailed();
    if (this.batch.length === 0) return;
    const text = this.batch.join('');
    this.batch = [];
    this.batchLength = 0;
    this.head.write(text, 'utf8');
    if (this.head.writableLength > MAX_QUEUED_BYTES) {
      await new Promise<void>((resolve, reject) => {
        const onError = (error: Error): void => {
          this.head.off('drain', onDrain);
          reject(error);
        };
        const onDrain = (): void => {
          this.head.off('error', onError);
          resolve();
        };
        this.head.once('drain', onDrain);
        this.head.once('error', onError);
      });
    }
    this.throwIfFailed();
  }

  private fail(error: Error): void {
    this.failure ??= error;
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }
}
