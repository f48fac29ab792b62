/** The shape every error of this project has: a stable code and a hint for the user. */
export interface ExpectedError {
  code: string;
  message: string;
  hint?: string;
  retryable?: boolean;
}

/** True for errors that carry a stable `code` string — the project's own error classes. */
export function isExpectedError(error: unknown): error is Error & ExpectedError {
  return (
    error instanceof Error &&
    typeof (error as { code?: unknown }).code === 'string' &&
    typeof (error as { hint?: unknown }).hint === 'string'
  );
}

/**
 * Text shown to a user for an error: the message and the hint, never a stack trace for an
 * expected failure. Unexpected errors keep their stack, since they are bugs to report.
 */
export function describeError(error: unknown): string {
  if (isExpectedError(error)) {
    const lines = [`error: ${error.message}`];
    if (error.hint) lines.push(`hint: ${error.hint}`);
    return lines.join('\n');
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return [
    'error: unexpected failure (this is a bug; please report it with the text below)',
    detail,
  ].join('\n');
}
