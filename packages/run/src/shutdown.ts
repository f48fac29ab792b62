import { ExitCode } from './exit-codes.js';

type StopSignal = 'SIGINT' | 'SIGTERM';

/** The part of `process` the shutdown controller needs; tests pass an EventEmitter. */
export interface SignalSource {
  on(event: StopSignal, listener: () => void): unknown;
  off(event: StopSignal, listener: () => void): unknown;
}

export interface ShutdownOptions {
  source?: SignalSource;
  stderr?: NodeJS.WritableStream;
  /** Ends the process when a second signal arrives and the work does not stop by itself. */
  exit?: (code: number) => void;
  /** Grace after the second signal before exiting anyway (0 = exit at once). */
  forceExitDelayMs?: number;
  /** What the first signal lets finish, e.g. "the page in hand" or "the volumes in flight". */
  inFlightDescription?: string;
  setTimer?: (fn: () => void, ms: number) => { unref?: () => unknown };
}

export interface Shutdown {
  /** Aborted by the first signal: stop taking new work, finish what is in hand, save. */
  readonly drain: AbortSignal;
  /** Aborted by the second signal: abandon in-flight work now (state must stay consistent). */
  readonly abort: AbortSignal;
  /** The signal received first, or null. */
  readonly received: StopSignal | null;
  /** 130 after SIGINT, 143 after SIGTERM, null if no signal came. */
  exitCode(): number | null;
  dispose(): void;
}

/**
 * Two-stage Ctrl-C: the first signal drains (finish in hand, save, exit 130), the second stops
 * at once. Both apps use this so a user gets the same behaviour everywhere.
 */
export function createShutdown(options: ShutdownOptions = {}): Shutdown {
  const source = options.source ?? process;
  const stderr = options.stderr ?? process.stderr;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const drainController = new AbortController();
  const abortController = new AbortController();
  let received: StopSignal | null = null;

  const handle = (signal: StopSignal) => {
    if (!received) {
      received = signal;
      const what = options.inFlightDescription ?? 'the work in hand';
      stderr.write(`\n${signal} received: finishing ${what} and saving. Press Ctrl-C again to stop at once.\n`);
      drainController.abort(new Error(`${signal} received`));
      return;
    }
    if (abortController.signal.aborted) return;
    stderr.write(`\n${signal} received again: stopping now.\n`);
    abortController.abort(new Error(`${signal} received twice`));
    const code = exitCodeOf(received);
    const delay = options.forceExitDelayMs ?? 0;
    if (delay <= 0) exit(code);
    else setTimer(() => exit(code), delay).unref?.();
  };
  const onInt = () => handle('SIGINT');
  const onTerm = () => handle('SIGTERM');
  source.on('SIGINT', onInt);
  source.on('SIGTERM', onTerm);

  return {
    drain: drainController.signal,
    abort: abortController.signal,
    get received() {
      return received;
    },
    exitCode: () => (received === null ? null : exitCodeOf(received)),
    dispose() {
      source.off('SIGINT', onInt);
      source.off('SIGTERM', onTerm);
    },
  };
}

function exitCodeOf(signal: StopSignal): number {
  return signal === 'SIGTERM' ? ExitCode.terminated : ExitCode.interrupted;
}
