import { writeSync } from 'node:fs';
import type { Checkpoint } from '../stages/sync-context.js';

/** Env variable of the crash tests' hook: `POINT` or `POINT:N` (the N-th time POINT is reached). */
export const STOP_AT_ENV = 'GRIN_SYNC_TEST_STOP_AT';
/** The line written to stderr just before the process stops itself. */
export const STOPPED_MARKER = 'GRIN_SYNC_TEST_STOPPED';

const POINTS: readonly Checkpoint[] = ['startup', 'download', 'plaintext', 'committed', 'recorded', 'flush'];

/**
 * Crash-test hook, inert unless GRIN_SYNC_TEST_STOP_AT is set: at the chosen point the process
 * writes a marker line to stderr and stops itself with SIGSTOP, synchronously, so nothing else
 * happens before the test's SIGKILL — a precise "killed here". Never set in normal use.
 */
export function checkpointFromEnv(env: Record<string, string | undefined>): ((point: Checkpoint, barcode: string) => void) | undefined {
  const spec = env[STOP_AT_ENV];
  if (spec === undefined || spec === '') return undefined;
  const [name, nth] = spec.split(':');
  const point = POINTS.find((p) => p === name);
  if (point === undefined) throw new Error(`${STOP_AT_ENV}: unknown point ${JSON.stringify(name)} (one of ${POINTS.join(', ')})`);
  const target = nth === undefined ? 1 : Number(nth);
  let seen = 0;
  return (at, barcode) => {
    if (at !== point || ++seen !== target) return;
    writeSync(2, `${STOPPED_MARKER} ${at} ${barcode}\n`);
    process.kill(process.pid, 'SIGSTOP');
  };
}
