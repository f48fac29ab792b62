import type { Writable } from 'node:stream';
import { createGzip, gzipSync } from 'node:zlib';
import { OcrOutputSink, type OcrOutput } from './ocr-output-sink.js';

export interface OcrJsonlWriterOptions {
  /** gzip the output (default true). */
  compress?: boolean;
  /** gzip level (default 1, as the earlier tool: OCR text compresses well even at 1). */
  level?: number;
  /** Output kept in memory before it moves to the file (default 8 MiB; 0: file from the start). */
  maxMemoryBytes?: number;
}

const DEFAULT_MAX_MEMORY = 8 * 1024 * 1024;

/** Lines are gathered up to this size before a write, to keep per-page overhead low. */
const BATCH_BYTES = 64 * 1024;
/**
 * JSONL text (UTF-16 code units) compressed in one `gzipSync` call at the end rather than
 * through a gzip stream. Measured on 100 KB volumes: a gzip stream (thread-pool round trips,
 * stream objects) cost ~0.2 ms of CPU per volume, gzipSync of the same ~40 KB ~0.07 ms. Beyond
 * this size the stream is used, so the event loop is never blocked for long (1 MiB at level 1
 * takes a few ms) and memory stays bounded.
 */
const SYNC_GZIP_MAX = 1024 * 1024;
/**
 * Output queued in the stream before a write waits for it to drain. Far above the streams'
 * 16 KiB default on purpose: waiting stalls the tar parser, and a whole book's OCR is a few MB.
 */
const MAX_QUEUED_BYTES = 8 * 1024 * 1024;

/**
 * Writes page texts as JSON Lines (one JSON string per page, non-ASCII kept as is), optionally
 * gzip'd, into memory or — beyond `maxMemoryBytes` — a new file at `path()` (`wx`: never
 * overwrites; see OcrOutputSink). Pages must be given in order.
 */
export class OcrJsonlWriter {
  private readonly file: OcrOutputSink;
  private readonly level: number;
  /** Where batches go; null while compressed output is still small enough for gzipSync. */
  private head: Writable | null = null;
  private batch: string[] = [];
  private batchLength = 0;
  private failure: Error | null = null;
  private lines = 0;

  /** `path` is asked for only when the output outgrows memory (it may create the directory). */
  constructor(path: string | (() => Promise<string>), options: OcrJsonlWriterOptions = {}) {
    this.file = new OcrOutputSink(options.maxMemoryBytes ?? DEFAULT_MAX_MEMORY, typeof path === 'string' ? async () => path : path);
    this.file.on('error', (error) => this.fail(error));
    this.level = options.level ?? 1;
    if (!(options.compress ?? true)) this.head = this.file;
  }

  /** Lines written so far. */
  get lineCount(): number {
    return this.lines;
  }

  /** The file the output went to, if it outgrew memory (for removal on failure). */
  get spilledTo(): string | null {
    return this.file.spilledTo;
  }

  /**
   * Appends one page's text as a line. Returns a promise only when the output had to be flushed
   * (a volume's pages are usually all gathered in memory: no promise per page). An earlier
   * failure of the output is thrown synchronously: call it where a throw becomes a rejection.
   */
  writePage(text: string): void | Promise<void> {
    this.throwIfFailed();
    const line = `${JSON.stringify(text)}\n`;
    this.batch.push(line);
    this.batchLength += line.length;
    this.lines += 1;
    if (this.head === null) {
      if (this.batchLength <= SYNC_GZIP_MAX) return;
      this.head = this.startGzip();
    }
    if (this.batchLength >= BATCH_BYTES) return this.flush();
  }

  /** Flushes and closes; resolves with where the output is and its size in bytes. */
  async close(): Promise<OcrOutput> {
    let last: Buffer | null = null;
    if (this.head === null) {
      // Still small: compress it all at once (see SYNC_GZIP_MAX).
      this.head = this.file;
      last = gzipSync(Buffer.from(this.batch.join(''), 'utf8'), { level: this.level });
      this.batch = [];
      this.batchLength = 0;
    } else {
      await this.flush();
    }
    const head = this.head;
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.file.once('error', onError);
      this.file.once('finish', () => {
        this.file.off('error', onError);
        if (this.failure) reject(this.failure);
        else resolve();
      });
      if (last === null) head.end();
      else head.end(last);
    });
    return this.file.output();
  }

  /** Stops writing and closes the file descriptor (the caller removes the file). */
  async destroy(): Promise<void> {
    if (this.file.closed || this.file.writableFinished) return;
    await new Promise<void>((resolve) => {
      this.file.once('close', () => resolve());
      this.head?.destroy();
      this.file.destroy();
    });
  }

  private startGzip(): Writable {
    const gzip = createGzip({ level: this.level });
    gzip.on('error', (error) => this.fail(error));
    gzip.pipe(this.file);
    return gzip;
  }

  private async flush(): Promise<void> {
    this.throwIfFailed();
    const head = this.head;
    if (this.batch.length === 0 || head === null) return;
    const text = this.batch.join('');
    this.batch = [];
    this.batchLength = 0;
    head.write(text, 'utf8');
    if (head.writableLength > MAX_QUEUED_BYTES) {
      await new Promise<void>((resolve, reject) => {
        const onError = (error: Error): void => {
          head.off('drain', onDrain);
          reject(error);
        };
        const onDrain = (): void => {
          head.off('error', onError);
          resolve();
        };
        head.once('drain', onDrain);
        head.once('error', onError);
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
