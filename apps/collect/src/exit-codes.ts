import { ExitCode } from '@grin/run';

/**
 * The one place where collect's expected errors meet exit codes (by their stable `code`).
 * README.md documents the same table. UsageError (2) and unexpected errors (70) are handled
 * by runCli; codes not listed give 1.
 */
export const COLLECT_EXIT_CODES: Readonly<Record<string, number>> = {
  // 3: configuration
  config_invalid: ExitCode.config, // bad library directory, bad --grin-url (@grin/client)
  auth_missing: ExitCode.config, // no / malformed credential files
  library_mismatch: ExitCode.config, // run directory belongs to another library
  // 4: GRIN refused us
  auth_refused: ExitCode.auth,
  permission_denied: ExitCode.auth,
  // 5: run directory in use
  run_locked: ExitCode.locked,
  // 6: the catalogue cannot be used
  catalogue_unreadable: ExitCode.database,
  catalogue_version: ExitCode.database,
  // 7: GRIN unusable after retries
  unavailable: ExitCode.unavailable,
  server_error: ExitCode.unavailable,
  network: ExitCode.unavailable,
  rate_limited: ExitCode.unavailable,
  protocol: ExitCode.unavailable, // malformed page (the message names the page)
  not_found: ExitCode.unavailable, // the listing itself does not exist
  cursor_restarts_exhausted: ExitCode.unavailable,
  // bugs in the caller of @grin/books
  listing_cursor_mismatch: ExitCode.internal,
  catalogue_already_open: ExitCode.internal,
};

/** Exit code for an expected error, or undefined (-> 1). */
export function collectExitCodeFor(error: Error & { code: string }): number | undefined {
  return COLLECT_EXIT_CODES[error.code];
}
