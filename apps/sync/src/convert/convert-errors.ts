/** Stable codes of the conversion side's own errors. */
export type ConversionErrorCode =
  /** A conversion outcome could not be recorded in the catalogue (disk full, I/O error). */
  'catalogue_write_failed';

/** An error of the conversion side: stable `code`, a `hint` for the user, whether a retry may help. */
export class ConversionError extends Error {
  override readonly name = 'ConversionError';
  readonly code: ConversionErrorCode;
  readonly hint: string;
  readonly retryable: boolean;

  constructor(code: ConversionErrorCode, message: string, opts: { hint: string; retryable: boolean; cause?: unknown }) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = code;
    this.hint = opts.hint;
    this.retryable = opts.retryable;
  }
}

/** `code: message` of any error, for history rows and logs (our errors carry no secrets). */
export function describeFailure(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${error.message}` : `${error.name}: ${error.message}`;
  }
  return String(error);
}
