import type { Eta } from '../eta/eta.js';
import type { Unit, UnitInput } from '../format/unit.js';

/** Output mode. `auto` picks `tty` or `plain` (see selectMode). */
export type ReporterMode = 'auto' | 'tty' | 'plain' | 'json' | 'off';

/** The renderer actually used. */
export type ResolvedMode = Exclude<ReporterMode, 'auto'>;

/** Timer functions, injectable so tests drive time by hand. */
export interface TimerApi {
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

/** The parts of `process` the tty renderer uses to restore the terminal on exit and signals. */
export interface ProcessLike {
  on(event: 'exit' | 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  removeListener(event: 'exit' | 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  listenerCount(event: 'exit' | 'SIGINT' | 'SIGTERM'): number;
  kill(pid: number, signal: 'SIGINT' | 'SIGTERM'): unknown;
  readonly pid: number;
}

/** A stream to render to; `isTTY` and `columns` as on a tty.WriteStream. */
export type ProgressStream = NodeJS.WritableStream & { isTTY?: boolean | undefined; columns?: number | undefined };

/** Options of createReporter. */
export interface ReporterOptions {
  /** What is being done, e.g. `Collecting _all_books`; shown in lines and the summary. */
  readonly operation: string;
  /** Unit of `completed`, default `item`. */
  readonly unit?: UnitInput;
  /** Total units, or `null`/absent when unknown. */
  readonly total?: number | null;
  /** Units already done before this session (resume): shown in counts, excluded from rates. */
  readonly initialCompleted?: number;
  /** Total bytes, when known. */
  readonly bytesTotal?: number | null;
  /** Where to render, default `process.stderr`. */
  readonly stream?: ProgressStream;
  /** Default `auto`; env `GRIN_PROGRESS` overrides `auto` only. */
  readonly mode?: ReporterMode;
  /** Environment, default `process.env` (CI, TERM, NO_COLOR, GRIN_PROGRESS, GRIN_PROGRESS_TRACE). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Monotonic clock in ms, default `performance.now`. */
  readonly clock?: () => number;
  /** Epoch ms for timestamps (json events, trace header), default `Date.now`. */
  readonly wallClock?: () => number;
  /** Interval of plain lines and json progress events in ms; default 10 000 (plain), 1 000 (json). */
  readonly intervalMs?: number;
  /** Never call a pause shorter than this a stall (seconds), default 10. */
  readonly minStallSeconds?: number;
  /** Timer functions, default the global ones. */
  readonly timers?: TimerApi;
  /** Process to watch for exit/SIGINT/SIGTERM (tty only), default the global `process`. */
  readonly process?: ProcessLike;
}

/** Queue depths of a pipeline (the seed's show_queue_progress). */
export interface QueueState {
  readonly downloadsActive: number;
  readonly downloadLimit: number;
  readonly processing: number;
  readonly waitingToDownload: number;
  readonly waitingToProcess: number;
}

/** A point-in-time view of the progress. */
export interface ProgressSnapshot {
  readonly operation: string;
  readonly unit: Unit;
  /** Units done, including `initialCompleted`. */
  readonly completed: number;
  readonly initialCompleted: number;
  /** Units done in this session. */
  readonly sessionCompleted: number;
  readonly total: number | null;
  /** 0..100, or `null` without a total. */
  readonly percent: number | null;
  /** Units per second (this session's progress only), or `null` when there is no estimate. */
  readonly rate: number | null;
  /** The ETA with its state (done, unknown, stalled, estimate). */
  readonly eta: Eta;
  /** Seconds to completion (capped), or `null`. */
  readonly etaSeconds: number | null;
  /** Whether the ETA was derived from bytes (`bytesTotal` known) or items. */
  readonly etaBasis: 'items' | 'bytes' | null;
  readonly elapsedSeconds: number;
  /** Seconds without progress when stalled, else `null`. */
  readonly stalledSeconds: number | null;
  readonly bytes: number;
  readonly bytesTotal: number | null;
  /** Bytes per second, or `null`. */
  readonly byteRate: number | null;
  /** Extra key/values in the order they were first set. */
  readonly extra: Readonly<Record<string, string | number>>;
  /** Queue depths, when setQueue was called. */
  readonly queue: QueueState | null;
}

/** How the work ended. */
export type FinishStatus = 'completed' | 'interrupted' | 'failed';

/** Final summary returned (and printed) by finish(). */
export interface ProgressSummary {
  readonly operation: string;
  readonly unit: Unit;
  readonly status: FinishStatus;
  readonly message: string | null;
  readonly completed: number;
  readonly initialCompleted: number;
  readonly sessionCompleted: number;
  readonly total: number | null;
  readonly bytes: number;
  readonly bytesTotal: number | null;
  readonly elapsedSeconds: number;
  /** Session units / elapsed seconds, or `null` when nothing was timed. */
  readonly averageRate: number | null;
  /** Session bytes / elapsed seconds, or `null`. */
  readonly averageByteRate: number | null;
}

/** Options of finish(). */
export interface FinishOptions {
  /** Default `completed`. */
  readonly status?: FinishStatus;
  /** Shown after the summary, e.g. why it failed. */
  readonly message?: string;
}

/** The progress reporter both apps use. */
export interface ProgressReporter {
  /** Adds `n` (default 1) completed units. Hot path: no clock read, no allocation. */
  tick(n?: number): void;
  /** Sets the completed count (including `initialCompleted`). */
  set(completed: number): void;
  setTotal(total: number | null): void;
  /** Sets bytes done and, when given, the byte total. */
  setBytes(done: number, total?: number | null): void;
  /** Adds `n` bytes done. Hot path, like tick(). */
  addBytes(n: number): void;
  /** Sets an extra key/value shown after the line; `null` removes it. Keys keep first-set order. */
  setExtra(key: string, value: string | number | null): void;
  /** Sets queue depths; lines then carry the seed's queue fields. */
  setQueue(queue: QueueState): void;
  /** Prints a line above the live display (tty) or as is (plain); a `log` event in json. */
  log(line: string): void;
  /** The current state (reads the clock). */
  snapshot(): ProgressSnapshot;
  /** Stops rendering and prints the summary. Idempotent: later calls return the same summary. */
  finish(options?: FinishOptions): ProgressSummary;
  /** The renderer in use. */
  readonly mode: ResolvedMode;
}
