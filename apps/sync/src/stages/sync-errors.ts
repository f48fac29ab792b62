/** Stable codes of errors raised by the sync app itself (not by its packages). */
export type SyncErrorCode =
  /** A barcode that could act as a path or is not a GRIN barcode. */
  | 'invalid_barcode'
  /** Missing or contradictory run settings (library directory, storage, passphrase file). */
  | 'config_missing'
  /** A barcodes file that cannot be read. */
  | 'barcodes_file'
  /** The object in storage after commit is not what was written (size or ETag differ). */
  | 'verify_failed'
  /** GRIN's ETag changed between HEAD and GET; the volume is checked again. */
  | 'etag_changed'
  /** The run stopped itself after too many consecutive failed volumes. */
  | 'too_many_failures'
  /** The catalogue could not record an event (disk full, I/O error). */
  | 'catalogue_write_failed'
  /** A plaintext consumer (extraction stage) failed. */
  | 'consumer_failed'
  /** The stored archive read back for the extraction stages is not what was recorded; it is downloaded again. */
  | 'stored_copy_damaged';

/** An error of the sync app: stable `code`, a `hint` for the user, whether a retry may help. */
export class SyncError extends Error {
  override readonly name = 'SyncError';
  readonly code: SyncErrorCode;
  readonly hint: string;
  readonly retryable: boolean;

  constructor(code: SyncErrorCode, message: string, opts: { hint: string; retryable: boolean; cause?: unknown }) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = code;
    this.hint = opts.hint;
    this.retryable = opts.retryable;
  }
}

/** The shape every project error has; used to classify errors from any package. */
export interface CodedError extends Error {
  code: string;
  hint?: string;
  retryable?: boolean;
}

/** True for errors carrying a stable string `code` (ours and our packages'). */
export function isCodedError(err: unknown): err is CodedError {
  return err instanceof Error && typeof (err as { code?: unknown }).code === 'string';
}

/** The error as an Error, for values thrown that are not. */
export function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/** `code: message` for logs and catalogue rows (never contains secrets: our errors carry none). */
export function errorText(err: unknown): string {
  const e = asError(err);
  return isCodedError(e) ? `${e.code}: ${e.message}` : `${e.name}: ${e.message}`;
}
