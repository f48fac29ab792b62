import { rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { OcrPageTooLargeError } from './extract-errors.js';
import { OcrJsonlWriter } from './ocr-jsonl-writer.js';
import { OcrPageAssembler } from './ocr-page-assembler.js';
import { ocrFileName, ocrPageNumber } from './ocr-page-name.js';
import type { EntrySink } from './read-archive.js';

/** OCR extraction result of a volume. */
export type OcrResult =
  | {
      status: 'ok';
      /** Lines written: pages 1..max, gaps included as "". */
      pageCount: number;
      /** The JSONL (gzip'd unless `compressed` is false) in memory — the usual case — or null when it was too large and went to `jsonlPath`. */
      data: Buffer | null;
      /** The JSONL file inside the volume's work dir when `data` is null, else null. */
      jsonlPath: string | null;
      /** `BARCODE_ocr.jsonl.gz` or `BARCODE_ocr.jsonl`: the name to store it under. */
      fileName: string;
      compressed: boolean;
      /** Size of the JSONL in bytes. */
      bytes: number;
      /** `.txt` files that are not page files (bad name, page 0 or > 999,999, repeated number). */
      skippedFiles: number;
    }
  | { status: 'no_ocr'; skippedFiles: number };

export interface OcrCollectorOptions {
  barcode: string;
  /** The volume's work directory, asked for only when something must go to disk. */
  workDir: string | (() => Promise<string>);
  compress: boolean;
  /** OCR output kept in memory before it goes to a file (see OcrJsonlWriter). */
  maxMemoryBytes?: number;
  /** Page text held in memory before spilling to disk (see OcrPageAssembler). */
  maxHeldBytes?: number;
  /** Largest page file accepted (default 64 MiB). */
  maxPageBytes?: number;
}

const DEFAULT_MAX_PAGE = 64 * 1024 * 1024;

/**
 * Collects `NNNNNNNN.txt` page files from anywhere in the archive into `BARCODE_ocr.jsonl[.gz]`,
 * in memory or, when large, in `workDir`. The output is started with the first page; the caller
 * owns `workDir`.
 */
export class OcrCollector {
  private readonly fileName: string;
  private readonly maxPage: number;
  private readonly assembler: OcrPageAssembler;
  private writer: OcrJsonlWriter | null = null;
  private skipped = 0;

  private readonly workDir: () => Promise<string>;

  constructor(private readonly options: OcrCollectorOptions) {
    this.fileName = ocrFileName(options.barcode, options.compress);
    this.maxPage = options.maxPageBytes ?? DEFAULT_MAX_PAGE;
    const workDir = options.workDir;
    this.workDir = typeof workDir === 'string' ? async () => workDir : workDir;
    this.assembler = new OcrPageAssembler({
      emit: (text) => this.output().writePage(text),
      spillPath: async () => join(await this.workDir(), `${options.barcode}_ocr.spill`),
      ...(options.maxHeldBytes === undefined ? {} : { maxHeldBytes: options.maxHeldBytes }),
    });
  }

  /** A sink for the entry if it is a page file; counts other `.txt` files as skipped. */
  sinkFor(path: string, size: number): EntrySink | undefined {
    const name = basename(path);
    const page = ocrPageNumber(name);
    if (page === null || this.assembler.has(page)) {
      // A repeated page number (e.g. in two directories): the first one seen wins.
      if (name.endsWith('.txt')) this.skipped += 1;
      return undefined;
    }
    if (size > this.maxPage) throw new OcrPageTooLargeError(path, this.maxPage);
    const chunks: Buffer[] = [];
    return {
      write: (chunk) => {
        chunks.push(chunk);
      },
      // Buffer#toString replaces invalid UTF-8 with U+FFFD.
      end: () => this.assembler.add(page, (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8')),
    };
  }

  /** Writes the held pages and closes the file. */
  async finish(): Promise<OcrResult> {
    try {
      const pageCount = await this.assembler.finish();
      if (this.writer === null) return { status: 'no_ocr', skippedFiles: this.skipped };
      const { data, path, bytes } = await this.writer.close();
      return {
        status: 'ok',
        pageCount,
        data,
        jsonlPath: path,
        fileName: this.fileName,
        compressed: this.options.compress,
        bytes,
        skippedFiles: this.skipped,
      };
    } finally {
      await this.assembler.dispose();
    }
  }

  /** Abandons the output: closes and removes every file this collector made. */
  async abort(): Promise<void> {
    await this.assembler.dispose();
    if (this.writer !== null) {
      await this.writer.destroy();
      const spilled = this.writer.spilledTo;
      if (spilled !== null) await rm(spilled, { force: true });
    }
  }

  private output(): OcrJsonlWriter {
    this.writer ??= new OcrJsonlWriter(async () => join(await this.workDir(), this.fileName), {
      compress: this.options.compress,
      ...(this.options.maxMemoryBytes === undefined ? {} : { maxMemoryBytes: this.options.maxMemoryBytes }),
    });
    return this.writer;
  }
}
