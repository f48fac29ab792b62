/**
 * Exit codes shared by every command line of the project. The README documents this table;
 * each CLI maps its errors onto it in one place.
 */
export const ExitCode = {
  /** Everything asked for was done. */
  ok: 0,
  /** The run finished but some items failed, or a teardown step failed. */
  failures: 1,
  /** The command line was wrong (unknown option, missing value, conflicting options). */
  usage: 2,
  /** Configuration is missing or invalid: library directory, credentials file, passphrase file, storage settings. */
  config: 3,
  /** GRIN refused the credentials or the account has no access to the library directory. */
  auth: 4,
  /** Another process holds this run directory. */
  locked: 5,
  /** The run's database cannot be read (corrupt, not a database, or from a newer version). */
  database: 6,
  /** GRIN or storage stayed unreachable or unusable after all retries. */
  unavailable: 7,
  /** The run stopped itself after too many consecutive failures. */
  tooManyFailures: 8,
  /** A bug: an error nobody anticipated. The message asks for a report. */
  internal: 70,
  /** Stopped by Ctrl-C (SIGINT); state is saved, rerun to resume. */
  interrupted: 130,
  /** Stopped by SIGTERM; state is saved, rerun to resume. */
  terminated: 143,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
