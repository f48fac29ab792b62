export type SimulatorErrorCode =
  | 'INVALID_OPTION'
  | 'UNKNOWN_BOOK'
  | 'UNKNOWN_BARCODE'
  | 'GPG_FAILED'
  | 'ARCHIVE_FAILED'
  | 'CLOSED'
  | 'LISTEN_FAILED';

/** Every expected failure of the simulator (bad options, unknown books, gpg problems). */
export class SimulatorError extends Error {
  override readonly name = 'SimulatorError';
  readonly code: SimulatorErrorCode;
  readonly hint: string;
  readonly retryable: boolean;

  constructor(
    code: SimulatorErrorCode,
    message: string,
    opts: { hint?: string; retryable?: boolean; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = code;
    this.hint = opts.hint ?? '';
    this.retryable = opts.retryable ?? false;
  }
}
