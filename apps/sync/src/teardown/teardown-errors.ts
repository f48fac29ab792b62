/** Stable codes of the run-records side's own errors. */
export type RunRecordsErrorCode =
  /** One or more teardown items failed (see the report's items). */
  | 'teardown_failed'
  /** The preflight database backup could not be written. */
  | 'backup_failed';

/** An error of the run records: stable `code`, a `hint` for the user, whether a retry may help. */
export class RunRecordsError extends Error {
  override readonly name = 'RunRecordsError';
  readonly code: RunRecordsErrorCode;
  readonly hint: string;
  readonly retryable: boolean;

  constructor(code: RunRecordsErrorCode, message: string, opts: { hint: string; retryable: boolean; cause?: unknown }) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = code;
    this.hint = opts.hint;
    this.retryable = opts.retryable;
  }
}

/** What an item's failure looks like in the report (and in process_summary.json). */
export interface ItemError {
  code: string;
  message: string;
  hint?: string;
}

/** The report form of any error: its stable code (or name), message and hint when it has one. */
export function itemError(error: unknown): ItemError {
  if (!(error instanceof Error)) return { code: 'error', message: String(error) };
  const code = (error as { code?: unknown }).code;
  const hint = (error as { hint?: unknown }).hint;
  return {
    code: typeof code === 'string' ? code : error.name === 'AbortError' ? 'aborted' : error.name,
    message: error.message,
    ...(typeof hint === 'string' && hint !== '' ? { hint } : {}),
  };
}
