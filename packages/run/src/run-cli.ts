import { ExitCode } from './exit-codes.js';
import { describeError, isExpectedError } from './describe-error.js';
import { UsageError } from './usage-error.js';

export interface RunCliOptions {
  /** Maps an expected error (by its code) to an exit code; undefined falls back to `failures`. */
  exitCodeFor: (error: Error & { code: string }) => number | undefined;
  stderr?: NodeJS.WritableStream;
  /** Ends the process; injected by tests. */
  exit?: (code: number) => void;
}

/**
 * Runs a command's main function and turns its outcome into an exit code: the one place where
 * errors meet the process. Expected errors print message + hint; anything else is a bug.
 */
export async function runCli(main: () => Promise<number>, options: RunCliOptions): Promise<number> {
  const stderr = options.stderr ?? process.stderr;
  let code: number;
  try {
    code = await main();
  } catch (error) {
    stderr.write(`${describeError(error)}\n`);
    code = exitCodeForError(error, options.exitCodeFor);
  }
  (options.exit ?? ((c: number) => (process.exitCode = c)))(code);
  return code;
}

function exitCodeForError(error: unknown, map: RunCliOptions['exitCodeFor']): number {
  if (error instanceof UsageError) return ExitCode.usage;
  if (!isExpectedError(error)) return ExitCode.internal;
  return map(error) ?? ExitCode.failures;
}
