import type { RateEstimator } from './rate-estimator.js';
import { fitPaceTrend, type PaceTrend } from './pace-trend.js';
import { ProgressNoise } from './progress-noise.js';
import { SampleHistory } from './sample-history.js';
import { StallDetector } from './stall-detector.js';

/** Options of {@link AdaptiveRateEstimator}. */
export interface AdaptiveRateOptions {
  /** When the session started (seconds). */
  readonly startTime: number;
  /** Count already done before this session (resume); never counted as progress. */
  readonly initialCompleted?: number;
  /** Minimum spacing of stored history points (seconds), default 1. */
  readonly resolutionSeconds?: number;
  /** History points kept (older ones are thinned), default 2048. */
  readonly capacity?: number;
  /** Change-detection threshold (standard score), default 4. */
  readonly changeThreshold?: number;
  /** t score above which a drift of pace is extrapolated, default 5. */
  readonly trendThreshold?: number;
  /** See {@link StallDetector}. */
  readonly minStallSeconds?: number;
}

const MIN_DETECT_SECONDS = 16;
const FIRST_SCALE_SECONDS = 4;
const MIN_OBSERVATIONS = 8;
const MAX_TREND_FACTOR = 3;
const GAPS_PER_WINDOW = 4;

/**
 * Our default estimator: the average rate over the current *regime*, the
 * longest recent stretch over which progress looks homogeneous, plus a
 * guarded drift term.
 *
 * - Time based: rate = (count now - count at regime start) / (time - regime
 *   start). The span ends at the last progress, held there for one usual gap
 *   between reports; after that it moves with the clock, so during a stall
 *   the rate decays smoothly and the ETA grows. Between reports the ETA
 *   counts down. It never freezes.
 * - Adaptive: every stored point (>= 1 s apart) runs a two-window test at
 *   scales 4 s, 8 s, 16 s, ... (each spanning at least 4 usual gaps, so one
 *   burst never decides): the recent window's rate against the rest of the
 *   regime, measured against the noise of this job ({@link ProgressNoise}).
 *   A significant difference (z > 4) moves the regime start to the change
 *   point; otherwise the regime keeps growing and the estimate keeps
 *   averaging, which is what a steady job needs.
 * - Stalls: detection runs on "active time", where a pause longer than the
 *   stall threshold counts as one ordinary gap, so periodic pauses neither
 *   look like rate changes nor get forgotten (the wall-time rate still pays
 *   for them). {@link StallDetector} says when a pause is a stall.
 * - Drift: when pace (seconds per unit) within the regime rises or falls
 *   significantly ({@link fitPaceTrend}, t > 5), the ETA integrates the
 *   straight-line pace over the remaining units (bounded to 3x either way).
 * - Resume aware: the regime starts at the first progress of this session,
 *   so neither the resumed count nor idle start-up time distorts it.
 * - No estimate (`null`) until two distinct progress observations exist.
 */
export class AdaptiveRateEstimator implements RateEstimator {
  private readonly history: SampleHistory;
  private readonly stall: StallDetector;
  private readonly noise = new ProgressNoise();
  private readonly resolution: number;
  private readonly threshold: number;
  private readonly trendThreshold: number;
  private headTime: number;
  private headCount: number;
  /** Active time (seconds of work, stalls compressed) at the last progress. */
  private active = 0;
  private started = false;
  private trendAt = Number.NaN;
  private cachedTrend: PaceTrend | null = null;

  constructor(options: AdaptiveRateOptions) {
    this.history = new SampleHistory(options.capacity ?? 2048);
    this.stall = new StallDetector(options.minStallSeconds === undefined ? {} : { minStallSeconds: options.minStallSeconds });
    this.resolution = options.resolutionSeconds ?? 1;
    this.threshold = options.changeThreshold ?? 4;
    this.trendThreshold = options.trendThreshold ?? 5;
    this.headTime = options.startTime;
    this.headCount = options.initialCompleted ?? 0;
  }

  sample(time: number, completed: number): void {
    if (completed < this.headCount) {
      // Progress went backwards (a caller re-based its count): start over.
      this.started = false;
      this.history.clear();
      this.stall.reset();
      this.noise.reset();
    }
    const progressed = completed > this.headCount;
    this.headTime = time;
    this.headCount = completed;
    if (!progressed) return;
    if (!this.started) {
      this.started = true;
      this.active = 0;
      this.stall.progress(time);
      this.history.push(0, time, completed);
      return;
    }
    const gap = time - this.lastProgressTime;
    // A stall counts as one ordinary gap of work: detection compares speeds
    // while working; the wall-time rate still pays for the pause.
    this.active += gap > this.stall.thresholdSeconds ? Math.min(gap, Math.max(this.stall.typicalGapSeconds, this.resolution)) : gap;
    this.stall.progress(time);
    const h = this.history;
    if (this.active - h.lastKey >= this.resolution) {
      this.noise.add(this.active - h.lastKey, completed - h.countAt(h.length - 1));
      h.push(this.active, time, completed);
      this.detectChange();
    }
  }

  rate(time: number): number | null {
    if (!this.started) return null;
    const done = this.headCount - this.history.countAt(0);
    const span = this.effectiveTime(time) - this.history.timeAt(0);
    if (!(done > 0) || !(span > 0)) return null;
    return done / span;
  }

  /**
   * Seconds to finish `remaining` units. Normally `remaining / rate`. When
   * the pace within the regime drifts significantly (items getting larger,
   * a server slowing down), the fitted straight-line pace is integrated over
   * the remaining units instead, with the projected pace kept within a
   * factor {@link MAX_TREND_FACTOR} of the current one; the result is scaled
   * by the regime's wall/active time ratio so stalls still count.
   */
  eta(time: number, remaining: number): number | null {
    const rate = this.rate(time);
    if (rate === null) return null;
    if (!(remaining > 0)) return 0;
    let seconds = remaining / rate;
    const trend = this.trend();
    const h = this.history;
    const activeSpan = this.active - h.keyAt(0);
    if (trend !== null && activeSpan > 0) {
      const wallFactor = (this.effectiveTime(time) - h.timeAt(0)) / activeSpan;
      const endPace = Math.min(trend.pace * MAX_TREND_FACTOR, Math.max(trend.pace / MAX_TREND_FACTOR, trend.pace + trend.slope * remaining));
      seconds = ((trend.pace + endPace) / 2) * remaining * wallFactor;
    }
    // Work goes on between reports: count down through one usual gap.
    const since = Math.max(time, this.headTime) - this.lastProgressTime;
    const countdown = Math.min(Math.max(0, since), this.noise.meanGap() || 0);
    return Math.max(0, seconds - countdown);
  }

  /**
   * End of the time span the rate is measured over: the last progress, held
   * there for one usual gap (the next report is not late yet), then moving
   * with the clock so a stall decays the rate.
   */
  private effectiveTime(time: number): number {
    const since = Math.max(time, this.headTime) - this.lastProgressTime;
    return this.lastProgressTime + Math.max(0, since - this.stall.usualGapSeconds);
  }

  /** Time of the last progress (the stall detector keeps it). */
  private get lastProgressTime(): number {
    return this.stall.lastProgressTime;
  }

  stalledSeconds(time: number): number | null {
    return this.stall.stalledSeconds(time);
  }

  /** Wall time at which the current regime starts, or `null` before any progress. */
  get regimeStart(): number | null {
    return this.started ? this.history.timeAt(0) : null;
  }

  private trend(): PaceTrend | null {
    if (this.trendAt !== this.history.lastKey) {
      this.trendAt = this.history.lastKey;
      const fit = fitPaceTrend(this.history, this.history.countAt(this.history.length - 1));
      this.cachedTrend = fit !== null && fit.pace > 0 && Math.abs(fit.score) > this.trendThreshold ? fit : null;
    }
    return this.cachedTrend;
  }

  /** Tests, at every scale, whether the recent window's speed differs from the rest of the regime. */
  private detectChange(): void {
    const h = this.history;
    const now = h.lastKey;
    const nowCount = h.countAt(h.length - 1);
    const startCount = h.countAt(0);
    const span = now - h.keyAt(0);
    if (span < MIN_DETECT_SECONDS || this.noise.observations < MIN_OBSERVATIONS) return;
    // A window must span several usual gaps, or one burst decides the test.
    const minScale = Math.max(FIRST_SCALE_SECONDS, GAPS_PER_WINDOW * this.noise.meanGap());
    const pooled = (nowCount - startCount) / span;
    let bestZ = 0;
    let bestSplit = Number.NaN;
    for (let w = FIRST_SCALE_SECONDS; 2 * w <= span; w *= 2) {
      if (w < minScale) continue;
      const splitCount = h.countAtKey(now - w);
      const recent = nowCount - splitCount;
      if (!(recent > 0)) continue;
      const olderSpan = span - w;
      const diff = recent / w - (splitCount - startCount) / olderSpan;
      const variance = this.noise.rateVariance(pooled, w) + this.noise.rateVariance(pooled, olderSpan);
      const z = Math.abs(diff) / Math.sqrt(variance);
      if (z > bestZ) {
        bestZ = z;
        bestSplit = now - w;
      }
    }
    if (bestZ > this.threshold) h.dropBefore(bestSplit);
  }
}
