import { requireOption } from '../progress-error.js';
import type { RateEstimator } from './rate-estimator.js';

/** Options of {@link SlidingWindowRateCalculator}. */
export interface SlidingWindowOptions {
  /** Samples kept (the seed's `window_size`), default 5. */
  readonly windowSize?: number;
  /** Time the work started (seconds), used by the fallback before two samples. */
  readonly startTime: number;
  /** Count already done at `startTime` (resume); excluded from the fallback rate. */
  readonly startCount?: number;
  /**
   * Shortest time span used as a divisor. The seed clamped spans to >= 1 s,
   * which understates fast rates; the default here is no clamp (0). Spans of
   * zero give no estimate rather than a division by zero.
   */
  readonly minSpanSeconds?: number;
}

/**
 * The seed's sliding-window rate calculator: keeps the `windowSize` most
 * recent (time, cumulative count) samples; the rate is
 * (newest count - oldest count) / (newest time - oldest time). With fewer
 * than two samples it falls back to the overall average since `startTime`.
 *
 * Differences from the seed: no clamp of spans to >= 1 s (configurable), a
 * resumed start count is excluded from the fallback, and "no estimate" is
 * `null` instead of 0.
 */
export class SlidingWindowRateCalculator implements RateEstimator {
  private readonly size: number;
  private readonly times: Float64Array;
  private readonly counts: Float64Array;
  private readonly startTime: number;
  private readonly startCount: number;
  private readonly minSpan: number;
  /** Index of the oldest sample in the ring. */
  private first = 0;
  private length = 0;

  constructor(options: SlidingWindowOptions) {
    const size = options.windowSize ?? 5;
    requireOption(Number.isInteger(size) && size >= 2, `windowSize must be an integer >= 2, got ${size}`, 'Pass windowSize of 2 or more (the seed used 5).');
    this.size = size;
    this.times = new Float64Array(size);
    this.counts = new Float64Array(size);
    this.startTime = options.startTime;
    this.startCount = options.startCount ?? 0;
    this.minSpan = options.minSpanSeconds ?? 0;
  }

  /** Adds a (time, cumulative count) sample, dropping the oldest beyond the window (the seed's `add_batch`). */
  addSample(time: number, completed: number): void {
    const index = (this.first + this.length) % this.size;
    this.times[index] = time;
    this.counts[index] = completed;
    if (this.length < this.size) this.length++;
    else this.first = (this.first + 1) % this.size;
  }

  /** {@inheritDoc RateEstimator.sample} */
  sample(time: number, completed: number): void {
    this.addSample(time, completed);
  }

  /** Number of samples currently in the window. */
  get sampleCount(): number {
    return this.length;
  }

  /**
   * Rate as of `now` (the seed's `get_rate`). With two or more samples the
   * windowed rate (independent of `now`); before that, the overall average
   * `(completed - startCount) / (now - startTime)`, where `completed`
   * defaults to the newest sample's count.
   */
  getRate(now: number, completed?: number): number | null {
    if (this.length >= 2) {
      const newest = (this.first + this.length - 1) % this.size;
      const span = Math.max(this.minSpan, this.at(this.times, newest) - this.at(this.times, this.first));
      if (span > 0) return (this.at(this.counts, newest) - this.at(this.counts, this.first)) / span;
    }
    const count = completed ?? (this.length > 0 ? this.at(this.counts, (this.first + this.length - 1) % this.size) : this.startCount);
    const elapsed = Math.max(this.minSpan, now - this.startTime);
    if (!(elapsed > 0)) return null;
    return Math.max(0, count - this.startCount) / elapsed;
  }

  /** {@inheritDoc RateEstimator.rate} */
  rate(time: number): number | null {
    return this.getRate(time);
  }

  /** The window has no notion of a stall. */
  stalledSeconds(): number | null {
    return null;
  }

  private at(array: Float64Array, index: number): number {
    // Indices are always < size; the fallback only satisfies noUncheckedIndexedAccess.
    return array[index] ?? 0;
  }
}
