/**
 * A rate estimator: fed (time, cumulative count) samples, asked for a rate.
 *
 * Pure maths: every method takes the time explicitly (seconds on a monotonic
 * clock, any origin), so there is no hidden clock and tests need no sleeps.
 */
export interface RateEstimator {
  /** Records the cumulative count observed at `time` (seconds). */
  sample(time: number, completed: number): void;
  /** Units per second as of `time`, or `null` when there is no trustworthy estimate. */
  rate(time: number): number | null;
  /**
   * Seconds to finish `remaining` units as of `time`, for estimators that
   * model more than a rate; callers fall back to `remaining / rate` without it.
   */
  eta?(time: number, remaining: number): number | null;
  /** Seconds without progress when the estimator judges the job stalled, else `null`. */
  stalledSeconds(time: number): number | null;
}
