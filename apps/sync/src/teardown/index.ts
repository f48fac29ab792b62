export { runTeardown, teardownError } from './run-teardown.js';
export type {
  TeardownCatalogue,
  TeardownInput,
  TeardownItem,
  TeardownItemName,
  TeardownOptions,
  TeardownReport,
  TeardownStorage,
} from './teardown-types.js';
export { buildRunSummary, type RunSummary } from './run-summary.js';
export { preflightBackup, pruneBackups, BACKUPS_DIR, BACKUPS_KEPT, type PreflightBackupInput, type PreflightBackupResult } from './preflight-backup.js';
export { formatRunTimestamp } from './run-timestamp.js';
export { CSV_EXPORT_FILE } from './csv-records.js';
export { PROCESS_SUMMARY_FILE } from './summary-records.js';
export { RunRecordsError, type ItemError, type RunRecordsErrorCode } from './teardown-errors.js';
