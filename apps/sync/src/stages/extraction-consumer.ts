import { createReadStream } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { MARC_FIELD_COLUMNS, type MarcRecord, type StatusBatchWriter } from '@grin/books';
import { ocrFileName, startVolumeExtraction, type MarcColumnName, type MarcColumns, type VolumeExtraction } from '../extract/index.js';
import type { ArchiveStorage } from '../storage/index.js';
import { ExtractionCounts } from './extraction-counts.js';
import { localIsoTimestamp } from './local-time.js';
import type { ConsumerRun, ConsumerVolume, PlaintextConsumer } from './plaintext-consumer.js';
import { errorText, isCodedError, SyncError } from './sync-errors.js';

/** The catalogue events the extraction stage records (the @grin/books batched writer). */
export type ExtractionEvents = Pick<StatusBatchWriter, 'marcExtracted' | 'marcFailed' | 'textExtracted' | 'textFailed' | 'unpackFailed' | 'record'>;

export interface ExtractionSettings {
  /** Extract the MARC record into the catalogue (`--skip-extract-marc` turns it off). */
  marc: boolean;
  /** Store the OCR JSONL (`--skip-extract-ocr` turns it off). */
  ocr: boolean;
  /** gzip the OCR JSONL (`--skip-compression-full` turns it off). */
  compressOcr: boolean;
  /**
   * Staging directory (must exist) for a volume's work files: only used when the OCR JSONL or its
   * out-of-order pages outgrow memory (see OcrJsonlWriter); nothing else is written.
   */
  tempDir: string;
  /**
   * Check every archive's gzip CRC-32: on when legacy archives without integrity protection are
   * accepted (`--allow-legacy-without-integrity`), where gpg's MDC does not prove the bytes. An
   * archive read back from storage is always checked (no gpg ran over it).
   */
  verifyGzipCrc?: boolean;
}

export interface ExtractionConsumerOptions {
  settings: ExtractionSettings;
  /** Where the OCR JSONL goes (`full/` locally, the full bucket on S3). */
  storage: Pick<ArchiveStorage, 'putFull' | 'removeFull' | 'fullLocation'>;
  events: ExtractionEvents;
  /**
   * Where the catalogue last recorded the volume's OCR file (Catalogue.storedOcrLocation); asked
   * only for a volume synced again. Without it no earlier OCR file is ever removed.
   */
  storedOcrLocation?: (barcode: string) => string | null;
  /** A problem that does not fail the volume (an earlier OCR file left in place). */
  onWarning?: (message: string) => void;
  /** Local time for the OCR object's `acquisition_date`. */
  now?: () => Date;
  counts?: ExtractionCounts;
}

const COLUMN_TO_FIELD = new Map<string, keyof MarcRecord>(
  Object.entries(MARC_FIELD_COLUMNS).map(([field, column]) => [column, field as keyof MarcRecord]),
);

/**
 * MARC and OCR extraction as one stage beside the store (one pass over the decrypted tar.gz with
 * `startVolumeExtraction`, whose input the tee writes into: only METS/XML and page texts are read, images are skipped, nothing is unpacked
 * to disk). On `complete()` — after the raw archive was committed and verified — the OCR JSONL is
 * stored with `putFull` (`BARCODE_ocr.jsonl[.gz]`, metadata barcode / acquisition_date / page_count)
 * and the results are recorded:
 *
 * - MARC found: the `marc_*` columns + `marc_extraction_timestamp`, history `marc_extraction`/`completed`;
 * - no MARC record: history `marc_extraction`/`no_marc` — not a failure of the volume;
 * - pages found: history `text_extraction`/`completed` (page count, stored path);
 * - no page text at all: history `text_extraction`/`no_ocr` — not a failure either (GRIN would
 *   serve the same archive again, so failing it would only re-download it on every run);
 * - unsafe or corrupt archive: history `sync`/`unpack_failed`; unsafe XML: `marc_extraction`/`failed`;
 *   an oversized page or a failing OCR upload: `text_extraction`/`failed` — and the volume fails.
 *
 * A volume synced again also loses the OCR file its earlier sync stored under the other name, or
 * that the new archive no longer has (see `removeEarlierOcr`). The volume's staging directory (the
 * OCR file) is removed in every case.
 *
 * The parsing runs on the calling thread. A worker-thread variant was measured too (issue 6
 * benchmark): it used more CPU (a copy of every byte, a second heap) and ~100 MiB more memory for
 * no gain in throughput on the 2-core test machine, so it was not kept.
 */
export class ExtractionConsumer implements PlaintextConsumer {
  readonly name = 'extract';
  readonly counts: ExtractionCounts;
  private readonly settings: ExtractionSettings;
  private readonly storage: Pick<ArchiveStorage, 'putFull' | 'removeFull' | 'fullLocation'>;
  private readonly storedOcrLocation: (barcode: string) => string | null;
  private readonly onWarning: (message: string) => void;
  private readonly events: ExtractionEvents;
  private readonly now: () => Date;

  constructor(options: ExtractionConsumerOptions) {
    if (!options.settings.marc && !options.settings.ocr) throw new TypeError('ExtractionConsumer: nothing to extract');
    this.settings = options.settings;
    this.storage = options.storage;
    this.events = options.events;
    this.now = options.now ?? (() => new Date());
    this.storedOcrLocation = options.storedOcrLocation ?? (() => null);
    this.onWarning = options.onWarning ?? (() => undefined);
    this.counts = options.counts ?? new ExtractionCounts();
  }

  start(volume: ConsumerVolume, signal: AbortSignal): ConsumerRun {
    const { barcode } = volume;
    const options = {
      barcode,
      marc: this.settings.marc,
      ocr: this.settings.ocr,
      compressOcr: this.settings.compressOcr,
      tempDir: this.settings.tempDir,
      verifyCrc: this.settings.verifyGzipCrc === true || volume.source === 'storage',
    };
    const started = performance.now();
    let finishedAt = started;
    // The tee writes straight into the extraction's own input (no stream in between).
    const run = startVolumeExtraction({ ...options, signal });
    const sink = run.sink;
    const extraction = run.result.then((result) => {
      finishedAt = performance.now();
      return result;
    });
    // Observed by complete() or discard(); never left unhandled meanwhile.
    extraction.catch(() => undefined);

    return {
      sink,
      complete: async () => {
        let result: VolumeExtraction;
        try {
          result = await extraction;
        } catch (error) {
          this.recordExtractionFailure(barcode, error);
          throw error;
        }
        try {
          await this.finishVolume(barcode, result, Math.round(finishedAt - started), volume.replacing);
        } finally {
          await result.dispose();
        }
      },
      discard: async () => {
        const result = await extraction.catch(() => null);
        await result?.dispose().catch(() => undefined);
      },
    };
  }

  /**
   * Stores the OCR file (and, for a volume synced again, removes the earlier one it replaces),
   * then records both results (MARC first: it cannot fail the volume).
   */
  private async finishVolume(barcode: string, result: VolumeExtraction, extractionTimeMs: number, replacing: boolean): Promise<void> {
    let ocrStored: { location: string; pageCount: number } | null = null;
    if (result.ocr?.status === 'ok') {
      const ocr = result.ocr;
      try {
        // In memory for all but huge volumes (a Buffer also spares S3 a streamed upload).
        const body = ocr.data ?? createReadStream(ocr.jsonlPath ?? '');
        const stored = await this.storage.putFull(ocr.fileName, body, {
          barcode,
          acquisition_date: localIsoTimestamp(this.now()),
          page_count: String(ocr.pageCount),
        });
        ocrStored = { location: stored.location, pageCount: ocr.pageCount };
      } catch (error) {
        this.count(error);
        this.record(() => this.events.textFailed(barcode, { error: `cannot store ${ocr.fileName}: ${errorText(error)}` }));
        throw error;
      }
    }
    if (replacing && result.ocr !== undefined) await this.removeEarlierOcr(barcode, ocrStored?.location ?? null);

    const marc = result.marc;
    if (marc?.status === 'ok') {
      this.record(() => this.events.marcExtracted(barcode, marcRecordOf(marc.columns), { fieldCount: marc.fieldCount }));
      this.counts.marcExtracted++;
    } else if (marc?.status === 'no_marc') {
      this.record(() =>
        this.events.record({
          barcode,
          statusType: 'marc_extraction',
          statusValue: 'no_marc',
          metadata: { reason: marc.reason, xml_files: marc.xmlFiles.map((f) => ({ path: f.path, outcome: f.outcome, ...(f.detail === undefined ? {} : { detail: f.detail }) })) },
        }),
      );
      this.counts.marcMissing++;
    }

    const ocr = result.ocr;
    if (ocr?.status === 'ok' && ocrStored !== null) {
      const stored = ocrStored;
      this.record(() => this.events.textExtracted(barcode, { pageCount: stored.pageCount, extractionTimeMs, path: stored.location }));
      this.counts.ocrExtracted++;
      this.counts.ocrPages += stored.pageCount;
    } else if (ocr?.status === 'no_ocr') {
      this.record(() =>
        this.events.record({ barcode, statusType: 'text_extraction', statusValue: 'no_ocr', metadata: { skipped_files: ocr.skippedFiles } }),
      );
      this.counts.ocrMissing++;
    }
  }

  /**
   * An earlier sync of the volume may have stored its OCR file under the other name (the other
   * `--skip-compression-full` setting), or stored OCR the new archive no longer has. That file,
   * where the catalogue recorded it, is removed when it is not the one just stored; the catalogue
   * is asked only here (a volume synced again), and no request is sent when nothing was recorded.
   * A removal that fails is a warning, not a failure: the volume's own output is stored and
   * recorded, and the key may lack delete permission on the full bucket. A file the catalogue does
   * not know of (its records lost) is not looked for.
   */
  private async removeEarlierOcr(barcode: string, kept: string | null): Promise<void> {
    let earlier: string | null = null;
    try {
      earlier = this.storedOcrLocation(barcode);
      if (earlier === null || earlier === kept) return;
      const name = [ocrFileName(barcode, true), ocrFileName(barcode, false)].find((n) => this.storage.fullLocation(n) === earlier);
      if (name === undefined) {
        // The catalogue is this run's, so the storage settings changed since: not ours to touch.
        this.onWarning(`${barcode}: the earlier OCR file ${earlier} is outside this run's full area (storage settings changed?); left in place`);
        return;
      }
      await this.storage.removeFull(name);
    } catch (error) {
      this.onWarning(`${barcode}: could not remove the earlier OCR file ${earlier ?? '(catalogue unreadable)'} (${errorText(error)}); remove it by hand`);
    }
  }

  /** The archive-level failure, recorded where it belongs (reference 3.5 status types). */
  private recordExtractionFailure(barcode: string, error: unknown): void {
    const code = isCodedError(error) ? error.code : 'error';
    if (code === 'extraction_aborted') return;
    this.count(error);
    const text = errorText(error);
    if (code === 'archive_unsafe' || code === 'archive_corrupt') {
      this.record(() => this.events.unpackFailed(barcode, { error: text }));
    } else if (code === 'xml_unsafe') {
      this.record(() => this.events.marcFailed(barcode, { error: text }));
    } else {
      this.record(() => this.events.textFailed(barcode, { error: text }));
    }
  }

  private count(error: unknown): void {
    this.counts.fail(isCodedError(error) ? error.code : 'error');
  }

  /** A failing catalogue commit stops the run (as for the pipeline's own events). */
  private record(write: () => void): void {
    try {
      write();
    } catch (error) {
      throw new SyncError('catalogue_write_failed', `cannot record the extraction in the catalogue: ${(error as Error).message}`, {
        hint: 'check free disk space and that books.db is writable; rerun to resume (nothing is lost: storage is the truth)',
        retryable: false,
        cause: error,
      });
    }
  }
}

/** The extractor's column-keyed values as @grin/books' MARC record (field-keyed). */
function marcRecordOf(columns: MarcColumns): MarcRecord {
  const record: Record<string, string | null> = {};
  for (const [column, value] of Object.entries(columns) as [MarcColumnName, string | null][]) {
    const field = COLUMN_TO_FIELD.get(column);
    if (field === undefined) throw new Error(`no catalogue field for MARC column ${column}`);
    record[field] = value;
  }
  return record as MarcRecord;
}
