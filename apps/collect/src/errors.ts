/**
 * Errors of the collect command itself (the packages bring their own). Same shape as everywhere
 * in the project: stable `code`, user-facing `hint`, `retryable`, `cause`.
 */
export abstract class CollectError extends Error {
  abstract readonly code: string;
  abstract readonly retryable: boolean;
  readonly hint: string;

  constructor(message: string, hint: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.hint = hint;
  }
}

/** The run directory belongs to another library directory than the one given. */
export class LibraryMismatchError extends CollectError {
  override readonly name = 'LibraryMismatchError';
  readonly code = 'library_mismatch';
  readonly retryable = false;
  constructor(runName: string, stored: string, given: string) {
    super(
      `run ${runName} collects library ${JSON.stringify(stored)}, not ${JSON.stringify(given)}`,
      `Use --library-directory ${stored} to resume this run, or a new --run-name for ${given}.`,
    );
  }
}

/** GRIN kept rejecting the pagination cursor even after restarting the listing from page 1. */
export class CursorRestartLimitError extends CollectError {
  override readonly name = 'CursorRestartLimitError';
  readonly code = 'cursor_restarts_exhausted';
  readonly retryable = true;
  constructor(list: string, restarts: number, options: { cause?: unknown } = {}) {
    super(
      `GRIN rejected the pagination link of ${list} again after ${restarts} restarts from page 1`,
      'GRIN cursors seem to expire faster than pages are collected; retry later, or use a smaller --page-size.',
      options,
    );
  }
}
