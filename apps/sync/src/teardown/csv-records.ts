import { join } from 'node:path';
import { gzipFile } from './gzip-file.js';
import { abortedItem, notAttempted, uploadAll } from './meta-upload.js';
import { itemError } from './teardown-errors.js';
import type { TeardownCatalogue, TeardownItem, TeardownStorage } from './teardown-types.js';

/** Name of the local CSV export in the run directory (reference 5.12). */
export const CSV_EXPORT_FILE = 'books_export.csv';

export interface CsvStepInput {
  catalogue: TeardownCatalogue;
  storage: TeardownStorage | null;
  runDir: string;
  /** A private temp directory for the gzipped copy. */
  workDir: string;
  timestamp: string;
  compress: boolean;
  gzipLevel: number;
  signal: AbortSignal | undefined;
}

/**
 * `output/RUN/books_export.csv` (every catalogue column, RFC 4180, written atomically by
 * @grin/books) and its meta copies `books_latest.csv[.gz]` + `timestamped/TS_books.csv[.gz]`.
 */
export async function csvRecords(input: CsvStepInput): Promise<TeardownItem[]> {
  const { catalogue, storage, signal } = input;
  const path = join(input.runDir, CSV_EXPORT_FILE);
  if (signal?.aborted) return [abortedItem('csv_export'), abortedItem('csv_latest'), abortedItem('csv_timestamped')];
  let rows: number;
  try {
    rows = await catalogue.exportCsv(path, signal === undefined ? {} : { signal });
  } catch (error) {
    return [
      { name: 'csv_export', ok: false, error: itemError(error) },
      notAttempted('csv_latest', 'csv_export'),
      notAttempted('csv_timestamped', 'csv_export'),
    ];
  }
  const exported: TeardownItem = { name: 'csv_export', ok: true, location: path, rows };
  if (storage === null) {
    return [exported, { name: 'csv_latest', ok: true, skipped: 'no_storage' }, { name: 'csv_timestamped', ok: true, skipped: 'no_storage' }];
  }

  let file = path;
  let suffix = '';
  if (input.compress) {
    file = join(input.workDir, `${CSV_EXPORT_FILE}.gz`);
    suffix = '.gz';
    try {
      await gzipFile(path, file, { level: input.gzipLevel, ...(signal === undefined ? {} : { signal }) });
    } catch (error) {
      const failed: TeardownItem = { name: 'csv_latest', ok: false, error: itemError(error) };
      return [exported, failed, { ...failed, name: 'csv_timestamped' }];
    }
  }
  const meta = { rows: String(rows), exported_at_utc: input.timestamp };
  const uploads = await uploadAll(
    storage,
    [
      { item: 'csv_latest', name: `books_latest.csv${suffix}`, source: { file }, meta },
      { item: 'csv_timestamped', name: `timestamped/${input.timestamp}_books.csv${suffix}`, source: { file }, meta },
    ],
    signal,
  );
  const items = uploads.map((item) => (item.name === 'csv_latest' ? withoutOtherVariant(storage, item, suffix) : item));
  return [exported, ...(await Promise.all(items))];
}

/**
 * A run whose compression setting changed (`--skip-compression-meta`) would otherwise leave the
 * earlier variant of `books_latest.csv[.gz]` beside the new one, stale but looking current: it is
 * removed once the new one is stored. If that fails, the item fails (a stale latest is not hidden).
 */
async function withoutOtherVariant(storage: TeardownStorage, latest: TeardownItem, suffix: string): Promise<TeardownItem> {
  if (!latest.ok) return latest;
  const other = suffix === '' ? 'books_latest.csv.gz' : 'books_latest.csv';
  try {
    await storage.removeMeta(other);
    return latest;
  } catch (error) {
    const cause = itemError(error);
    return { name: 'csv_latest', ok: false, error: { ...cause, message: `stored, but the earlier ${other} could not be removed (it is stale): ${cause.message}` } };
  }
}
