/** Options of {@link StallDetector}. */
export interface StallDetectorOptions {
  /** Never call a pause shorter than this a stall (seconds), default 10. */
  readonly minStallSeconds?: number;
  /** A stall is a pause longer than this many times the usual gap, default 3. */
  readonly gapFactor?: number;
}

const GAPS = 32;

/**
 * Decides when a pause in progress is a stall. "Usual" is learned: the 90th
 * percentile of the last 32 gaps between observed progress. A job that
 * reports every 30 s in batches is not stalled after 20 s; one that reports
 * every second is, after `minStallSeconds`.
 */
export class StallDetector {
  private readonly minStall: number;
  private readonly factor: number;
  private readonly gaps = new Float64Array(GAPS);
  private readonly sorted = new Float64Array(GAPS);
  private gapCount = 0;
  private lastProgress = Number.NaN;
  private threshold: number;
  private median = 0;
  private p90 = 0;

  constructor(options: StallDetectorOptions = {}) {
    this.minStall = options.minStallSeconds ?? 10;
    this.factor = options.gapFactor ?? 3;
    this.threshold = this.minStall;
  }

  /** Time of the last observed progress (NaN before any). */
  get lastProgressTime(): number {
    return this.lastProgress;
  }

  /** Median of the recent gaps between progress (0 before two progress observations). */
  get typicalGapSeconds(): number {
    return this.median;
  }

  /** 90th percentile of the recent gaps: how long a report may normally take (0 before two). */
  get usualGapSeconds(): number {
    return this.p90;
  }

  /** Current threshold in seconds. */
  get thresholdSeconds(): number {
    return this.threshold;
  }

  reset(): void {
    this.gapCount = 0;
    this.lastProgress = Number.NaN;
    this.threshold = this.minStall;
    this.median = 0;
    this.p90 = 0;
  }

  /** Records that progress was observed at `time`. */
  progress(time: number): void {
    if (!Number.isNaN(this.lastProgress)) {
      this.gaps[this.gapCount % GAPS] = time - this.lastProgress;
      this.gapCount++;
      this.updateThreshold();
    }
    this.lastProgress = time;
  }

  /** Seconds since the last progress if that is a stall, else `null`. */
  stalledSeconds(time: number): number | null {
    if (Number.isNaN(this.lastProgress)) return null;
    const pause = time - this.lastProgress;
    return pause > this.threshold ? pause : null;
  }

  private updateThreshold(): void {
    const n = Math.min(this.gapCount, GAPS);
    const view = this.sorted.subarray(0, n);
    view.set(this.gaps.subarray(0, n));
    view.sort();
    const p90 = view[Math.min(n - 1, Math.floor(n * 0.9))] ?? 0;
    this.median = view[n >> 1] ?? 0;
    this.p90 = p90;
    this.threshold = Math.max(this.minStall, this.factor * p90);
  }
}
