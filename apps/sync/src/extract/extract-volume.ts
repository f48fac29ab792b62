import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable, type Readable } from 'node:stream';
import { ExtractionAbortedError } from './extract-errors.js';
import { MarcSearch, type MarcResult } from './marc-search.js';
import { OcrCollector, type OcrResult } from './ocr-collector.js';
import { pipeIntoReader, startArchiveRead, type ArchiveEntry, type EntrySink } from './read-archive.js';

export interface ExtractVolumeOptions {
  barcode: string;
  /** Extract the MARC record from the METS file. */
  marc: boolean;
  /** Build the OCR JSONL. */
  ocr: boolean;
  /** gzip the OCR JSONL (default true). */
  compressOcr?: boolean;
  /** Directory under which the volume's own work directory is made. Must exist. */
  tempDir: string;
  signal?: AbortSignal;
  /** Page text held in memory for out-of-order pages before spilling to disk (default 32 MiB). */
  maxHeldOcrBytes?: number;
  /** Largest page file accepted (default 64 MiB). */
  maxOcrPageBytes?: number;
  /** OCR JSONL kept in memory before it goes to a file in the work dir (default 8 MiB). */
  maxOcrMemoryBytes?: number;
  /** Check the archive's gzip CRC-32 (see ReadArchiveOptions.verifyCrc). */
  verifyCrc?: boolean;
}

/**
 * What was extracted from one volume. When `ocr.status` is 'ok' the OCR JSONL is `ocr.data`, or
 * for a very large one the file `ocr.jsonlPath`: upload it, then call `dispose()`, which removes
 * the volume's work directory if one was made (idempotent).
 */
export interface VolumeExtraction {
  /** Present when MARC extraction was asked for. */
  marc?: MarcResult;
  /** Present when OCR extraction was asked for. */
  ocr?: OcrResult;
  /** Entries in the archive. */
  entries: number;
  /**
   * The volume's work directory (holds a large OCR file until `dispose`), or null: it is made
   * only when something had to go to disk, which small and normal volumes never need.
   */
  workDir: string | null;
  dispose(): Promise<void>;
}

/** An extraction in progress: write the decrypted `.tar.gz` into `sink` and end it. */
export interface VolumeExtractionRun {
  /** Never fails or blocks its writer on its own (see ArchiveReader.sink). */
  readonly sink: Writable;
  readonly result: Promise<VolumeExtraction>;
}

/**
 * Extracts MARC columns and the OCR JSONL of one volume from its decrypted `.tar.gz` stream; see
 * `startVolumeExtraction`. The input is always consumed to its end, also on failure.
 */
export function extractVolume(plaintext: Readable, options: ExtractVolumeOptions): Promise<VolumeExtraction> {
  const run = startVolumeExtraction(options);
  pipeIntoReader(plaintext, run.sink);
  return run.result;
}

/**
 * Extracts MARC columns and the OCR JSONL of one volume from the decrypted `.tar.gz` written into
 * the returned sink, in one pass and without writing images anywhere: only METS/XML files are
 * parsed and page texts kept; every other entry is drained. Meant to run beside the store on the
 * same stream (a tee writes into the sink directly).
 *
 * Fails with UnsafeArchiveError, CorruptArchiveError, UnsafeXmlError, OcrPageTooLargeError,
 * ExtractionAbortedError or the error the sink was destroyed with; on failure nothing is left in
 * `tempDir`. A volume without MARC or OCR is not a failure: see `marc.status` / `ocr.status`.
 */
export function startVolumeExtraction(options: ExtractVolumeOptions): VolumeExtractionRun {
  const { signal } = options;
  try {
    assertSafeBarcode(options.barcode);
    if (signal?.aborted) throw new ExtractionAbortedError({ cause: signal.reason });
  } catch (error) {
    // Not read at all: still accept the bytes so the other side of a tee is never blocked.
    const result = Promise.reject(error as Error);
    result.catch(() => undefined);
    return { sink: new Writable({ write: (_chunk, _encoding, callback) => callback() }), result };
  }
  // Made on first need only: a directory per volume (mkdtemp + rm) was a measurable share of a
  // small volume's extraction CPU, and normal volumes keep everything in memory.
  let workDir: string | null = null;
  let making: Promise<string> | null = null;
  const makeWorkDir = (): Promise<string> =>
    (making ??= mkdtemp(join(options.tempDir, `${options.barcode}-extract-`)).then((dir) => (workDir = dir)));
  const dispose = async (): Promise<void> => {
    const dir = making === null ? null : await making.catch(() => null);
    if (dir !== null) await rm(dir, { recursive: true, force: true });
  };
  const marc = options.marc ? new MarcSearch() : null;
  const ocr = options.ocr
    ? new OcrCollector({
        barcode: options.barcode,
        workDir: makeWorkDir,
        compress: options.compressOcr ?? true,
        ...(options.maxHeldOcrBytes === undefined ? {} : { maxHeldBytes: options.maxHeldOcrBytes }),
        ...(options.maxOcrPageBytes === undefined ? {} : { maxPageBytes: options.maxOcrPageBytes }),
        ...(options.maxOcrMemoryBytes === undefined ? {} : { maxMemoryBytes: options.maxOcrMemoryBytes }),
      })
    : null;

  const onEntry = (entry: ArchiveEntry): EntrySink | undefined => {
    if (entry.type !== 'file') return undefined; // links are checked, never followed
    if (marc?.wants(entry.path)) return marc.sinkFor(entry.path);
    return ocr?.sinkFor(entry.path, entry.size);
  };

  const reader = startArchiveRead(onEntry, { ...(signal ? { signal } : {}), verifyCrc: options.verifyCrc === true });
  const result = (async (): Promise<VolumeExtraction> => {
    try {
      const summary = await reader.done;
      const ocrResult = ocr ? await ocr.finish() : undefined;
      if (signal?.aborted) throw new ExtractionAbortedError({ cause: signal.reason });
      return {
        ...(marc ? { marc: marc.result() } : {}),
        ...(ocrResult ? { ocr: ocrResult } : {}),
        entries: summary.entries,
        workDir,
        dispose,
      };
    } catch (error) {
      await ocr?.abort();
      await dispose();
      throw error;
    }
  })();
  return { sink: reader.sink, result };
}

/** The barcode names files: refuse anything that could act as a path. */
function assertSafeBarcode(barcode: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(barcode)) {
    throw new TypeError(`extractVolume: barcode ${JSON.stringify(barcode)} is not a plain file-name token`);
  }
}
