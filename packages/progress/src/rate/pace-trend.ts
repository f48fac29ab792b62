import type { SampleHistory } from './sample-history.js';

/** A straight-line model of pace (history-key seconds per unit) against count. */
export interface PaceTrend {
  /** Fitted pace at the count it was evaluated for (seconds per unit). */
  readonly pace: number;
  /** Change of pace per unit completed. */
  readonly slope: number;
  /** `slope / standard error` (a t statistic with `blocks - 2` degrees of freedom). */
  readonly score: number;
}

const BLOCKS = 12;

/**
 * Fits pace = a + b x count over `history` and evaluates it at `count`.
 *
 * The history's count range is cut into 12 blocks of equal units; each
 * block's pace is the time it took divided by its units. Regressing block
 * paces (not single observations) keeps the test honest when single items
 * vary wildly (lognormal sizes, parallel workers finishing out of order):
 * block paces are near normal and near independent, so the residual-based
 * standard error means what it says. `null` when there are too few
 * observations or units for 12 meaningful blocks.
 */
export function fitPaceTrend(history: SampleHistory, count: number, minUnitsPerBlock = 4): PaceTrend | null {
  const n = history.length;
  if (n < 2 * BLOCKS) return null;
  const first = history.countAt(0);
  const units = (history.countAt(n - 1) - first) / BLOCKS;
  if (!(units >= minUnitsPerBlock)) return null;
  let sx = 0;
  let sy = 0;
  const xs = new Float64Array(BLOCKS);
  const ys = new Float64Array(BLOCKS);
  let previousKey = history.keyAt(0);
  for (let b = 0; b < BLOCKS; b++) {
    const key = keyAtCount(history, first + (b + 1) * units);
    xs[b] = first + (b + 0.5) * units;
    ys[b] = (key - previousKey) / units;
    previousKey = key;
    sx += xs[b] ?? 0;
    sy += ys[b] ?? 0;
  }
  const mx = sx / BLOCKS;
  const my = sy / BLOCKS;
  let sxx = 0;
  let sxy = 0;
  for (let b = 0; b < BLOCKS; b++) {
    const dx = (xs[b] ?? 0) - mx;
    sxx += dx * dx;
    sxy += dx * ((ys[b] ?? 0) - my);
  }
  const slope = sxy / sxx;
  let ssr = 0;
  for (let b = 0; b < BLOCKS; b++) {
    const r = (ys[b] ?? 0) - (my + slope * ((xs[b] ?? 0) - mx));
    ssr += r * r;
  }
  const se = Math.sqrt(ssr / (BLOCKS - 2) / sxx);
  const score = se > 0 ? slope / se : slope === 0 ? 0 : Math.sign(slope) * Infinity;
  return { pace: my + slope * (count - mx), slope, score };
}

/** History key at which the count first reaches `count` (linear between points). */
function keyAtCount(history: SampleHistory, count: number): number {
  let lo = 0;
  let hi = history.length - 1;
  if (count <= history.countAt(0)) return history.keyAt(0);
  if (count >= history.countAt(hi)) return history.keyAt(hi);
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (history.countAt(mid) < count) lo = mid;
    else hi = mid;
  }
  const c0 = history.countAt(lo);
  const c1 = history.countAt(hi);
  const k0 = history.keyAt(lo);
  return k0 + ((history.keyAt(hi) - k0) * (count - c0)) / (c1 - c0);
}
