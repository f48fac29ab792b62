import { open, type FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';

/** Where the bytes written to an OcrOutputSink ended up. */
export interface OcrOutput {
  /** The bytes, when they stayed within the memory budget; null when they went to `path`. */
  data: Buffer | null;
  /** The file holding the bytes when `data` is null, else null. */
  path: string | null;
  bytes: number;
}

/**
 * Keeps what is written in memory up to `maxMemoryBytes`, then moves it to a new file (`wx`:
 * never overwrites) whose path `spillPath` gives only then. Why: a volume's gzip'd OCR is a few
 * KB to a few MB, and a temp file per volume (mkdtemp, open, write, close, read back, unlink,
 * rmdir) cost more CPU than the whole OCR extraction of a small volume (measured: ~1 ms of the
 * ~2.5 ms per 100 KB volume). The file remains for pathological archives so memory stays bounded.
 */
export class OcrOutputSink extends Writable {
  private chunks: Buffer[] = [];
  private size = 0;
  private file: FileHandle | null = null;
  private filePath: string | null = null;

  constructor(
    private readonly maxMemoryBytes: number,
    private readonly spillPath: () => Promise<string>,
  ) {
    super();
  }

  /** What was written; valid once the stream finished. */
  output(): OcrOutput {
    if (this.filePath !== null) return { data: null, path: this.filePath, bytes: this.size };
    return { data: this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.size), path: null, bytes: this.size };
  }

  /** The spill file's path if one was made (for removal on failure). */
  get spilledTo(): string | null {
    return this.filePath;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.file === null && this.size + chunk.length <= this.maxMemoryBytes) {
      this.chunks.push(chunk);
      this.size += chunk.length;
      callback();
      return;
    }
    this.writeToFile(chunk).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    const file = this.file;
    this.file = null;
    if (file === null) callback();
    else file.close().then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const file = this.file;
    this.file = null;
    if (file === null) callback(error);
    else file.close().then(() => callback(error), () => callback(error));
  }

  private async writeToFile(chunk: Buffer): Promise<void> {
    if (this.file === null) {
      this.filePath = await this.spillPath();
      this.file = await open(this.filePath, 'wx');
      const held = this.chunks;
      this.chunks = [];
      // writeFile, unlike write, loops until every byte is written (from the current position).
      for (const piece of held) await this.file.writeFile(piece);
    }
    await this.file.writeFile(chunk);
    this.size += chunk.length;
  }
}
