/**
 * Typed errors of the catalogue. Every error carries a stable `code` (for logs, exit codes and
 * tests), a `hint` telling the user what to do, and `retryable` (whether trying again may help).
 */

export interface BooksErrorOptions {
  hint?: string;
  cause?: unknown;
}

/** Base class of all @grin/books errors. */
export abstract class BooksError extends Error {
  abstract readonly code: string;
  abstract readonly retryable: boolean;
  readonly hint: string;

  constructor(message: string, options: BooksErrorOptions = {}, defaultHint = '') {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.hint = options.hint ?? defaultHint;
  }
}

/**
 * The database file cannot be used as a catalogue: missing (read-only open), not an SQLite file,
 * corrupt, unreadable (permissions, I/O error) or an SQLite file of another tool.
 */
export class CatalogueUnreadableError extends BooksError {
  override readonly name = 'CatalogueUnreadableError';
  readonly code = 'catalogue_unreadable';
  readonly retryable = false;
  readonly path: string;
  constructor(message: string, path: string, options: BooksErrorOptions = {}) {
    super(
      message,
      options,
      `Check that ${path} is the books.db of a grin run and is readable. If it is damaged, ` +
        'restore it from output/RUN/backups/ or start a new run name.',
    );
    this.path = path;
  }
}

/** The database was written by a newer version of this tool (its schema version is unknown here). */
export class CatalogueVersionError extends BooksError {
  override readonly name = 'CatalogueVersionError';
  readonly code = 'catalogue_version';
  readonly retryable = false;
  readonly path: string;
  readonly fileVersion: number;
  readonly codeVersion: number;
  constructor(
    message: string,
    details: { path: string; fileVersion: number; codeVersion: number },
    options: BooksErrorOptions = {},
  ) {
    super(
      message,
      options,
      `Update this tool (git pull && pnpm install) to a version that knows schema version ` +
        `${details.fileVersion}, or use a different run name. Do not downgrade the database by hand.`,
    );
    this.path = details.path;
    this.fileVersion = details.fileVersion;
    this.codeVersion = details.codeVersion;
  }
}

/** Another live process holds the run directory's lock file. */
export class RunLockedError extends BooksError {
  override readonly name = 'RunLockedError';
  readonly code = 'run_locked';
  /** The holder may finish; trying again later can succeed. */
  readonly retryable = true;
  readonly lockPath: string;
  readonly holder: { pid: number; host: string; startedAt: string } | undefined;
  constructor(
    message: string,
    details: { lockPath: string; holder?: { pid: number; host: string; startedAt: string } },
    options: BooksErrorOptions = {},
  ) {
    const who = details.holder
      ? `process ${details.holder.pid} on host ${details.holder.host} (since ${details.holder.startedAt})`
      : 'another process';
    super(
      message,
      options,
      `The run is in use by ${who}. Wait for it to finish or stop it (Ctrl-C / kill ` +
        `${details.holder?.pid ?? 'PID'}), or pick another run name. Only if you are sure no such ` +
        `process is running (e.g. it ran on another machine that crashed), delete ${details.lockPath}.`,
    );
    this.lockPath = details.lockPath;
    this.holder = details.holder;
  }
}

/**
 * A listing page was stored out of order (the cursor says another page comes next). Guards the
 * "a page is stored exactly once" rule of the collector.
 */
export class ListingCursorError extends BooksError {
  override readonly name = 'ListingCursorError';
  readonly code = 'listing_cursor_mismatch';
  readonly retryable = false;
  constructor(message: string, options: BooksErrorOptions = {}) {
    super(
      message,
      options,
      'This is a bug in the caller: resume from the saved cursor (getListingCursor), or restart ' +
        'the listing from page 1 (--restart).',
    );
  }
}

/** The same database file is already open for writing in this process (one writer per process). */
export class CatalogueAlreadyOpenError extends BooksError {
  override readonly name = 'CatalogueAlreadyOpenError';
  readonly code = 'catalogue_already_open';
  readonly retryable = false;
  constructor(message: string, options: BooksErrorOptions = {}) {
    super(
      message,
      options,
      'Pass the already-open Catalogue around instead of opening the file again, or close it first.',
    );
  }
}
