import { ExitCode } from '@grin/run';

/**
 * The one map from error codes (ours and our packages') to the exit codes of @grin/run.
 * Codes not listed here exit with `failures` (1); errors without a code are bugs (70).
 */
const EXIT_CODES: Record<string, number> = {
  // usage
  usage: ExitCode.usage,
  invalid_barcode: ExitCode.usage,
  barcodes_file: ExitCode.usage,
  // configuration: library directory, credentials, passphrase, gpg, storage settings
  config_missing: ExitCode.config,
  config_invalid: ExitCode.config,
  auth_missing: ExitCode.config,
  passphrase_file: ExitCode.config,
  gpg_missing: ExitCode.config,
  storage_config: ExitCode.config,
  invalid_object_name: ExitCode.config,
  // GRIN refused us
  auth_refused: ExitCode.auth,
  permission_denied: ExitCode.auth,
  // another process holds the run
  run_locked: ExitCode.locked,
  // catalogue
  catalogue_unreadable: ExitCode.database,
  catalogue_version: ExitCode.database,
  catalogue_already_open: ExitCode.database,
  catalogue_write_failed: ExitCode.database,
  // unreachable after retries
  network: ExitCode.unavailable,
  server_error: ExitCode.unavailable,
  rate_limited: ExitCode.unavailable,
  unavailable: ExitCode.unavailable,
  protocol: ExitCode.unavailable,
  cursor_rejected: ExitCode.unavailable,
  storage_read_failed: ExitCode.unavailable,
  storage_write_failed: ExitCode.unavailable,
  // the run stopped itself
  too_many_failures: ExitCode.tooManyFailures,
};

/** For `runCli`: the exit code of an expected error, by its code. */
export function exitCodeFor(error: Error & { code: string }): number | undefined {
  return EXIT_CODES[error.code];
}
