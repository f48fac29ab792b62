import type { Shutdown } from '@grin/run';
import type { ArchiveStorage } from '../storage/index.js';
import { runTeardown, teardownError, type TeardownCatalogue, type TeardownReport } from '../teardown/index.js';
import type { SyncCliOptions } from './parse-args.js';
import type { RunOutcome } from './run-outcome.js';

export interface TeardownStepInput {
  catalogue: TeardownCatalogue;
  storage: ArchiveStorage;
  runName: string;
  runDir: string;
  o: Pick<SyncCliOptions, 'skipCsvExport' | 'skipDatabaseBackup' | 'skipCompressionMeta'>;
  shutdown: Shutdown;
  log: (line: string) => void;
}

export interface TeardownStep {
  /** Null when the teardown did not run (second Ctrl-C). */
  report: TeardownReport | null;
  /** The exit code of the run with the teardown's outcome folded in (throws the error to end with). */
  combine(outcome: RunOutcome): number;
}

/**
 * The run's teardown (CSV export, database backup, process_summary.json; reference 5.11), run
 * after the session ended — also after a first Ctrl-C and after the consecutive-failure stop, but
 * not after a second Ctrl-C ("stop now"). Call it after the status writer was closed.
 *
 * A teardown failure is reported and never hidden: a run that would exit 0 ends with the
 * `teardown_failed` error (exit 1); a run already ending non-zero keeps its own code or error and
 * the teardown failure is printed beside it.
 */
export async function finishWithTeardown(input: TeardownStepInput): Promise<TeardownStep> {
  const { shutdown, log } = input;
  if (shutdown.abort.aborted) {
    log('teardown skipped (stopped at once): books_export.csv, the backups and process_summary.json are written by the next run');
    return { report: null, combine: unwrap };
  }
  const report = await runTeardown({
    catalogue: input.catalogue,
    storage: input.storage,
    runName: input.runName,
    runDir: input.runDir,
    options: {
      skipCsvExport: input.o.skipCsvExport,
      skipDatabaseBackup: input.o.skipDatabaseBackup,
      skipCompressionMeta: input.o.skipCompressionMeta,
    },
    // Only the hard stop: the teardown must run after a first Ctrl-C.
    signal: shutdown.abort,
    log,
  });
  const error = teardownError(report);
  return {
    report,
    combine(outcome) {
      if (error === null) return unwrap(outcome);
      if ('code' in outcome && outcome.code === 0) throw error;
      log(`error: ${error.message}`);
      log(`hint: ${error.hint}`);
      return unwrap(outcome);
    },
  };
}

function unwrap(outcome: RunOutcome): number {
  if ('error' in outcome) throw outcome.error;
  return outcome.code;
}
