const SIZE = 64;

/**
 * Measures how noisy progress is, from the recent observations (gap in
 * seconds, units completed) between stored history points.
 *
 * Over a window of W seconds holding about W / meanGap observations, the
 * count deviates from rate x W by the sum of per-observation residuals
 * `units - rate x gap`, so the variance of a windowed rate is about
 * `residualVariance / (meanGap x W)`. This holds whatever the granularity:
 * single items sampled each second (Poisson: variance ~ rate), pages of 100
 * arriving irregularly (variance ~ 100^2 x gap variance), batches flushed
 * at random times. The residual variance is taken from successive
 * differences, so a change of rate inside the window barely inflates it.
 */
export class ProgressNoise {
  private readonly gaps = new Float64Array(SIZE);
  private readonly units = new Float64Array(SIZE);
  private count = 0;
  private dirty = true;
  private gapMean = Number.NaN;
  private residualVariance = Number.NaN;

  reset(): void {
    this.count = 0;
    this.dirty = true;
  }

  /** Observations recorded so far (capped at the ring size). */
  get observations(): number {
    return Math.min(this.count, SIZE);
  }

  add(gap: number, units: number): void {
    const i = this.count % SIZE;
    this.gaps[i] = gap;
    this.units[i] = units;
    this.count++;
    this.dirty = true;
  }

  /** Mean gap between observations (seconds), NaN before any. */
  meanGap(): number {
    this.update();
    return this.gapMean;
  }

  /**
   * Variance of a rate measured over `seconds`, in (units/s)^2, for a
   * process going at `rate`; never below the Poisson variance `rate / seconds`.
   */
  rateVariance(rate: number, seconds: number): number {
    this.update();
    const poisson = rate / seconds;
    if (Number.isNaN(this.residualVariance)) return poisson;
    return Math.max(poisson, this.residualVariance / (this.gapMean * seconds));
  }

  private update(): void {
    if (!this.dirty) return;
    this.dirty = false;
    const n = this.observations;
    let gapSum = 0;
    let unitSum = 0;
    for (let i = 0; i < n; i++) {
      gapSum += this.gaps[i] ?? 0;
      unitSum += this.units[i] ?? 0;
    }
    this.gapMean = n > 0 ? gapSum / n : Number.NaN;
    this.residualVariance = Number.NaN;
    if (n < 3 || !(gapSum > 0)) return;
    const local = unitSum / gapSum;
    // Walk the ring oldest to newest so differences are between neighbours.
    const oldest = this.count > SIZE ? this.count % SIZE : 0;
    let previous = Number.NaN;
    let squares = 0;
    for (let k = 0; k < n; k++) {
      const i = (oldest + k) % SIZE;
      const residual = (this.units[i] ?? 0) - local * (this.gaps[i] ?? 0);
      if (!Number.isNaN(previous)) squares += (residual - previous) * (residual - previous);
      previous = residual;
    }
    this.residualVariance = squares / (2 * (n - 1));
  }
}
