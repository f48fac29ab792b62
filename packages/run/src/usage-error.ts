/** A mistake on the command line. Always maps to exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'usage';
  readonly retryable = false;
  constructor(
    message: string,
    readonly hint: string = 'Run the command with --help to see the options.',
  ) {
    super(message);
  }
}
