import { rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { OcrPageTooLargeError } from './extract-errors.js';
import { OcrJsonlWriter } from './ocr-jsonl-writer.js';
import { OcrPageAssembler } from './ocr-page-assembler.js';
import { ocrPageNumber } from './ocr-page-name.js';
import type { EntrySink } from './read-archive.js';

/** OCR extraction result of a volume. */
export type OcrResult =
  | {
      status: 'ok';
      /** Lines written: pages 1..max, gaps included as "". */
      pageCount: number;
      /** The JSONL file (gzip'd unless `compressed` is false), inside the volume's work dir. */
      jsonlPath: string;
      /** `BARCODE_ocr.jsonl.gz` or `BARCODE_ocr.jsonl`: the name to store it under. */
      fileName: string;
      compressed: boolean;
      /** Size of the file at `jsonlPath`. */
      bytes: number;
      /** `.txt` files that are not page files (bad name, page 0 or > 999,999, repeated number). */
      skippedFiles: number;
    }
  | { status: 'no_ocr'; skippedFiles: number };

export interface OcrCollectorOptions {
  barcode: string;
  workDir: string;
  compress: boolean;
  /** Page text held in memory before spilling to disk (see OcrPageAssembler). */
  maxHeldBytes?: number;
  /** Largest page file accepted (default 64 MiB). */
  maxPageBytes?: number;
}

const DEFAULT_MAX_PAGE = 64 * 1024 * 1024;

/**
 * Collects `NNNNNNNN.txt` page files from anywhere in the archive into `BARCODE_ocr.jsonl[.gz]`
 * in `workDir`. The output file is created with the first page; the caller owns `workDir`.
 */
export class OcrCollector {
  private readonly fileName: string;
  private readonly maxPage: number;
  private readonly assembler: OcrPageAssembler;
  private writer: OcrJsonlWriter | null = null;
  private skipped = 0;

  constructor(private readonly options: OcrCollectorOptions) {
    this.fileName = `${options.barcode}_ocr.jsonl${options.compress ? '.gz' : ''}`;
    this.maxPage = options.maxPageBytes ?? DEFAULT_MAX_PAGE;
    this.assembler = new OcrPageAssembler({
      emit: (text) => this.output().writePage(text),
      spillPath: join(options.workDir, `${options.barcode}_ocr.spill`),
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
      const bytes = await this.writer.close();
      return {
        status: 'ok',
        pageCount,
        jsonlPath: this.writer.path,
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
      await rm(this.writer.path, { force: true });
    }
  }

  private output(): OcrJsonlWriter {
    this.writer ??= new OcrJsonlWriter(join(this.options.workDir, this.fileName), { compress: this.options.compress });
    return this.writer;
  }
}
