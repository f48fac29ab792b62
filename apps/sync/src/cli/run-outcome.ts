import { ExitCode, type Shutdown } from '@grin/run';
import { SyncError } from '../stages/sync-errors.js';
import type { QueueRun, SkippedQueue } from './run-queues.js';

/** How the run ends: an exit code, or an error for the CLI's error map. */
export type RunOutcome = { code: number } | { error: Error };

/** The session status recorded for the run. */
export function sessionStatus(runs: readonly QueueRun[], skipped: readonly SkippedQueue[], conversionError: Error | null): 'completed' | 'interrupted' | 'failed' {
  const last = runs.at(-1)?.result.stopReason;
  if (last === 'interrupted' || last === 'aborted' || skipped.some((s) => s.reason === 'interrupted')) return 'interrupted';
  if (last !== undefined && last !== 'completed') return 'failed';
  return conversionError === null ? 'completed' : 'failed';
}

/**
 * The run's exit: a stop with its own error (fatal, listing failed, too many failures, GRIN's
 * conversion lists unreadable) is that error; Ctrl-C is 130 (143 for SIGTERM); otherwise 1 when
 * any volume failed, else 0.
 */
export function runOutcome(runs: readonly QueueRun[], conversionError: Error | null, shutdown: Shutdown, maxConsecutiveFailures: number): RunOutcome {
  const last = runs.at(-1)?.result;
  switch (last?.stopReason) {
    case 'fatal':
      return { error: last.fatalError as Error };
    case 'source_failed':
      return { error: last.sourceError instanceof Error ? last.sourceError : new Error(String(last.sourceError)) };
    case 'too_many_failures': {
      const failed = last.lastFailure;
      const lastHint = (failed?.error as { hint?: unknown } | undefined)?.hint;
      return {
        error: new SyncError(
          'too_many_failures',
          `stopped after ${Math.max(last.stats.consecutiveFailures, maxConsecutiveFailures)} volumes failed in a row${failed === undefined ? '' : `; the last one, ${failed.barcode}, failed at ${failed.step}: ${failed.error.message}`}`,
          { hint: typeof lastHint === 'string' ? lastHint : 'see the failures above', retryable: false },
        ),
      };
    }
    case 'interrupted':
    case 'aborted':
      return { code: shutdown.exitCode() ?? ExitCode.interrupted };
    default:
      break;
  }
  if (shutdown.drain.aborted) return { code: shutdown.exitCode() ?? ExitCode.interrupted };
  if (conversionError !== null) return { error: conversionError };
  return { code: runs.some((r) => r.result.stats.failed > 0) ? ExitCode.failures : ExitCode.ok };
}
