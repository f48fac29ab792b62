/** Stable codes of storage failures. */
export type StorageErrorCode =
  | 'invalid_barcode'
  | 'invalid_object_name'
  | 'storage_commit_before_end'
  | 'storage_already_settled'
  | 'storage_write_failed'
  | 'storage_read_failed'
  | 'storage_config';

/** A storage failure with a stable `code`, a `hint` for the user and whether a retry may help. */
export class StorageError extends Error {
  override readonly name = 'StorageError';
  readonly code: StorageErrorCode;
  readonly hint: string;
  readonly retryable: boolean;

  constructor(code: StorageErrorCode, message: string, opts: { hint: string; retryable: boolean; cause?: unknown }) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = code;
    this.hint = opts.hint;
    this.retryable = opts.retryable;
  }
}

/** Something a backend wants the caller to know about without failing the operation. */
export interface StorageWarning {
  code: 'abort_cleanup_failed' | 'stale_temp_removed' | 'probe_object_left';
  message: string;
  location: string;
  cause?: unknown;
}

/** Opening a barcode's stored archive for reading failed (both backends' `openRaw`). */
export function storedArchiveReadError(barcode: string, cause: unknown): StorageError {
  return new StorageError('storage_read_failed', `cannot read the stored archive of ${barcode}: ${(cause as Error).message}`, {
    hint: 'check that storage is reachable and readable; the volume is downloaded again instead',
    retryable: true,
    cause,
  });
}

/** Writing a local file into place (temp file, fsync, rename) failed. */
export function localStoreError(finalPath: string, cause: unknown): StorageError {
  return new StorageError('storage_write_failed', `could not store ${finalPath}: ${(cause as Error).message}`, {
    hint: 'check free space and permissions of the storage path',
    retryable: true,
    cause,
  });
}
