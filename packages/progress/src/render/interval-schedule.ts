/**
 * Sampling period of the non-tty renderers (ms): the estimators get a fresh
 * sample 4 times a second whatever the output interval.
 */
export const SAMPLE_MS = 250;

/**
 * Fixed-rate schedule for periodic output: due at start + k x interval,
 * with half a timer tick of tolerance so timer jitter never skips a line,
 * and no burst of catch-up lines after the event loop was blocked.
 */
export class IntervalSchedule {
  private next = Number.NaN;
  private slack = 0;

  constructor(private readonly intervalMs: number) {}

  start(nowMs: number, tickMs: number): void {
    this.next = nowMs + this.intervalMs;
    this.slack = tickMs / 2;
  }

  /** Whether output is due at `nowMs` (and if so, books the next slot). */
  due(nowMs: number): boolean {
    if (!(nowMs + this.slack >= this.next)) return false;
    this.next += this.intervalMs;
    if (this.next <= nowMs) this.next = nowMs + this.intervalMs;
    return true;
  }
}
