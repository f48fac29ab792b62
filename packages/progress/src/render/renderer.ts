import type { ProgressSnapshot, ProgressSummary } from '../reporter/types.js';

/**
 * How the reporter talks to an output. The reporter owns the clock and the
 * timer; it calls `update` on every timer tick (every `tickMs`) and the
 * renderer decides whether to draw.
 */
export interface Renderer {
  /** Desired period of the reporter's timer in ms. */
  readonly tickMs: number;
  start(snapshot: ProgressSnapshot, nowMs: number): void;
  update(snapshot: ProgressSnapshot, nowMs: number): void;
  log(line: string, nowMs: number): void;
  /** Prints the summary and releases anything held (terminal state, listeners). */
  finish(summary: ProgressSummary, snapshot: ProgressSnapshot, nowMs: number): void;
}
