import type { Catalogue } from '@grin/books';
import type { ArchiveStorage } from '../storage/index.js';
import type { ItemError } from './teardown-errors.js';

/** What the teardown needs of the catalogue. */
export type TeardownCatalogue = Pick<Catalogue, 'exportCsv' | 'backupTo' | 'listSessions'>;

/** What the teardown needs of storage: the meta area. */
export type TeardownStorage = Pick<ArchiveStorage, 'putMeta' | 'removeMeta'>;

/**
 * The items of a teardown, in the order they run:
 * - csv_export: `output/RUN/books_export.csv`;
 * - csv_latest / csv_timestamped: `{meta}/RUN/books_latest.csv.gz`, `{meta}/RUN/timestamped/TS_books.csv.gz`;
 * - database_backup: the gzipped online-backup snapshot (a temp file, removed after the uploads);
 * - database_latest / database_timestamped: `{meta}/RUN/books_latest.db.gz`, `{meta}/RUN/timestamped/TS_books_latest.db.gz`;
 * - process_summary: `output/RUN/process_summary.json`;
 * - process_summary_upload: `{meta}/RUN/process_summary.json.gz`.
 */
export type TeardownItemName =
  | 'csv_export'
  | 'csv_latest'
  | 'csv_timestamped'
  | 'database_backup'
  | 'database_latest'
  | 'database_timestamped'
  | 'process_summary'
  | 'process_summary_upload';

/** The outcome of one item. A skipped item (option, or no storage) is ok. */
export interface TeardownItem {
  name: TeardownItemName;
  ok: boolean;
  /** Why it did not run: `skip_csv_export`, `skip_database_backup`, `no_storage`. */
  skipped?: string;
  /** Local path, or `s3://bucket/key`. */
  location?: string;
  bytes?: number;
  /** Books written (csv_export). */
  rows?: number;
  error?: ItemError;
}

export interface TeardownOptions {
  /** No CSV export (`--skip-csv-export`): neither the local file nor its meta copies. */
  skipCsvExport?: boolean;
  /**
   * No database backup (`--skip-database-backup`): no upload of the database to meta (and the
   * CLI should skip the preflight backup too).
   */
  skipDatabaseBackup?: boolean;
  /** Upload the CSV uncompressed (`books_latest.csv`; `--skip-compression-meta`). */
  skipCompressionMeta?: boolean;
  /** gzip level of the CSV copy (default 6); the database uses 1 (@grin/books' default). */
  csvGzipLevel?: number;
  /** Where the temp files go (the gzipped CSV and database snapshot). Default: the run directory. */
  tempDir?: string;
}

export interface TeardownInput {
  catalogue: TeardownCatalogue;
  /** The run's storage; null = local files only (database and meta copies skipped as `no_storage`). */
  storage: TeardownStorage | null;
  runName: string;
  /** `output/RUN`. */
  runDir: string;
  options?: TeardownOptions;
  /** Clock for the `timestamped/` names and the summary's `generated_at`. */
  now?: () => Date;
  /**
   * Hard stop only (second Ctrl-C). Do NOT pass the first-Ctrl-C "drain" signal: the teardown must
   * run after an interrupted run. Files are written atomically, so an aborted teardown leaves the
   * previous complete files (or none), never partial ones.
   */
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export interface TeardownReport {
  /** True when every item is ok (skipped items count as ok). */
  ok: boolean;
  items: TeardownItem[];
  /** The `YYYYMMDD_HHMMSS` (UTC) used in the `timestamped/` names. */
  timestamp: string;
}
