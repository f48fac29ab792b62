/** Stable codes of {@link ProgressError}. */
export type ProgressErrorCode = 'PROGRESS_INVALID_OPTION' | 'PROGRESS_TRACE_CORRUPT';

/**
 * The package's error: a bad option (a programming error) or an unreadable
 * trace recording. Never retryable: the same input fails the same way.
 */
export class ProgressError extends Error {
  override readonly name = 'ProgressError';
  readonly retryable = false;

  constructor(
    readonly code: ProgressErrorCode,
    message: string,
    readonly hint: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Throws PROGRESS_INVALID_OPTION unless `ok`. */
export function requireOption(ok: boolean, message: string, hint: string): void {
  if (!ok) throw new ProgressError('PROGRESS_INVALID_OPTION', message, hint);
}
