export { openCatalogue, type OpenCatalogueOptions } from './open-catalogue.js';
export { openCatalogueSnapshot, type CatalogueSnapshotOptions } from './catalogue-snapshot.js';
export { Catalogue, type ConnectionSettings } from './catalogue.js';
export {
  BooksError,
  CatalogueAlreadyOpenError,
  CatalogueUnreadableError,
  CatalogueVersionError,
  ListingCursorError,
  RunLockedError,
  type BooksErrorOptions,
} from './errors.js';
export {
  BOOK_COLUMNS,
  EXTRA_BOOK_COLUMNS,
  GRIN_LISTING_COLUMNS,
  MARC_FIELD_COLUMNS,
  type BookColumnName,
  type BookColumnValues,
  type BookRow,
  type MarcRecord,
} from './book-columns.js';
export {
  LISTING_SESSION_COUNT_KEYS,
  type ListingCursor,
  type ListingMode,
  type ListingPageInput,
  type ListingRow,
  type StorePageResult,
} from './listing-types.js';
export type { BookFilter, EnsureBooksResult, IterateOptions } from './book-queries.js';
export type { CatalogueQueue, QueueOptions } from './sync-selection.js';
export type { StatusEvent, StatusWriterOptions, WriterTimers } from './batched-event-writer.js';
export { BatchedEventWriter } from './batched-event-writer.js';
export {
  StatusBatchWriter,
  type ConversionDetails,
  type ConversionStatus,
  type SyncedDetails,
} from './status-batch-writer.js';
export type { StatusHistoryEntry } from './status-history.js';
export type {
  RunSession,
  SessionCounts,
  SessionStatus,
  SessionUpdate,
  StageSessionSummary,
  StartSessionInput,
} from './session-types.js';
export {
  buildProcessSummary,
  writeProcessSummary,
  type ProcessSummary,
  type SessionEntry,
  type StageSummary,
} from './process-summary.js';
export { mergeCounts, type StageTotals } from './stage-totals.js';
export type { ExportCsvOptions } from './csv-export.js';
export type { BackupOptions, BackupResult } from './backup.js';
export {
  acquireRunLock,
  readRunLock,
  RUN_LOCK_FILE,
  type RunLock,
  type RunLockInfo,
  type RunLockOptions,
} from './run-lock.js';
export { CATALOGUE_SCHEMA_VERSION } from './migrations.js';
export { isoTimestamp, systemClock, type Clock } from './timestamp.js';
export { isProcessAlive, type ProcessAliveCheck } from './process-alive.js';
export { createProcessTempDir, sweepDeadProcessTempDirs } from './process-temp-dir.js';
