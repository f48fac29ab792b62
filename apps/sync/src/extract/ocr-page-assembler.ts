import { open, rm, type FileHandle } from 'node:fs/promises';

/** Where a page that cannot be written yet is kept. */
type Held = { text: string } | { offset: number; length: number };

export interface OcrPageAssemblerOptions {
  /** Called with each page text in page order, gaps as "" (1..max); may return a promise to wait for. */
  emit: (text: string) => void | Promise<void>;
  /** File used when held pages exceed `maxHeldBytes`; created only if needed, always removed. A function is called only then. */
  spillPath: string | (() => Promise<string>);
  /** Bytes of page text held in memory before spilling to `spillPath` (default 32 MiB). */
  maxHeldBytes?: number;
}

const DEFAULT_MAX_HELD = 32 * 1024 * 1024;

/**
 * Puts pages arriving in any order into page order, with "" for missing numbers.
 *
 * Pages are emitted as soon as every lower number has been seen, so an archive whose pages come
 * in order (the normal case) holds nothing. A page that arrives early — out of order, or after a
 * gap, which is only known to be a gap at the end — is held: in memory up to `maxHeldBytes` of
 * text (a whole book's OCR is typically a few MB, small next to its images), then in a spill
 * file so a pathological archive cannot exhaust memory. Held pages are emitted by `finish`.
 */
export class OcrPageAssembler {
  private readonly held = new Map<number, Held>();
  private readonly maxHeld: number;
  private heldBytes = 0;
  private next = 1;
  private max = 0;
  private spill: FileHandle | null = null;
  private spillFile: string | null = null;
  private spillSize = 0;

  constructor(private readonly options: OcrPageAssemblerOptions) {
    this.maxHeld = options.maxHeldBytes ?? DEFAULT_MAX_HELD;
  }

  /** True if this page number was already given. */
  has(page: number): boolean {
    return page < this.next || this.held.has(page);
  }

  /**
   * Adds a page (a number not given before). Returns a promise only when there is something to
   * wait for: a page arriving in order with nothing held is emitted at once (the usual case).
   */
  add(page: number, text: string): void | Promise<void> {
    this.max = Math.max(this.max, page);
    if (page !== this.next) {
      this.held.set(page, { text });
      this.heldBytes += Buffer.byteLength(text);
      if (this.heldBytes > this.maxHeld) return this.spillHeld();
      return;
    }
    const emitted = this.options.emit(text);
    if (emitted === undefined && this.held.size === 0) {
      this.next += 1;
      return;
    }
    return this.afterEmit(emitted);
  }

  private async afterEmit(emitted: void | Promise<void>): Promise<void> {
    await emitted;
    this.next += 1;
    await this.emitReady();
  }

  /** Emits everything left, filling gaps with ""; returns the page count (max page number). */
  async finish(): Promise<number> {
    for (; this.next <= this.max; this.next += 1) {
      const held = this.held.get(this.next);
      this.held.delete(this.next);
      await this.options.emit(held === undefined ? '' : await this.read(held));
    }
    return this.max;
  }

  /** Releases the spill file if one was made. Safe to call more than once. */
  async dispose(): Promise<void> {
    const spill = this.spill;
    this.spill = null;
    if (spill !== null) {
      await spill.close().catch(() => undefined);
      if (this.spillFile !== null) await rm(this.spillFile, { force: true });
    }
  }

  private async emitReady(): Promise<void> {
    for (let held = this.held.get(this.next); held !== undefined; held = this.held.get(this.next)) {
      this.held.delete(this.next);
      if ('text' in held) this.heldBytes -= Buffer.byteLength(held.text);
      await this.options.emit(await this.read(held));
      this.next += 1;
    }
  }

  private async read(held: Held): Promise<string> {
    if ('text' in held) return held.text;
    const buffer = Buffer.alloc(held.length);
    await this.spill!.read(buffer, 0, held.length, held.offset);
    return buffer.toString('utf8');
  }

  private async spillHeld(): Promise<void> {
    if (this.spill === null) {
      const path = this.options.spillPath;
      this.spillFile = typeof path === 'string' ? path : await path();
      this.spill = await open(this.spillFile, 'wx+');
    }
    for (const [page, held] of this.held) {
      if (!('text' in held)) continue;
      const bytes = Buffer.from(held.text, 'utf8');
      await this.spill.write(bytes, 0, bytes.length, this.spillSize);
      this.held.set(page, { offset: this.spillSize, length: bytes.length });
      this.spillSize += bytes.length;
    }
    this.heldBytes = 0;
  }
}
