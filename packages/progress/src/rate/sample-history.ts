import { requireOption } from '../progress-error.js';

/**
 * Bounded history of progress points (key, time, cumulative count), in
 * increasing key order. The key is the axis lookups interpolate on (the
 * estimator uses "active time", see AdaptiveRateEstimator); `time` is the
 * wall time of the point. When full, the older half is thinned (every other
 * point dropped), so memory stays fixed on runs of days while recent history
 * keeps full resolution and old history keeps its shape.
 */
export class SampleHistory {
  private readonly keys: Float64Array;
  private readonly times: Float64Array;
  private readonly counts: Float64Array;
  private size = 0;

  constructor(capacity = 2048) {
    requireOption(Number.isInteger(capacity) && capacity >= 8, `capacity must be an integer >= 8, got ${capacity}`, 'Use the default capacity (2048) unless memory is very tight.');
    this.keys = new Float64Array(capacity);
    this.times = new Float64Array(capacity);
    this.counts = new Float64Array(capacity);
  }

  get length(): number {
    return this.size;
  }

  keyAt(index: number): number {
    return this.keys[index] ?? Number.NaN;
  }

  timeAt(index: number): number {
    return this.times[index] ?? Number.NaN;
  }

  countAt(index: number): number {
    return this.counts[index] ?? Number.NaN;
  }

  get lastKey(): number {
    return this.size > 0 ? this.keyAt(this.size - 1) : Number.NaN;
  }

  clear(): void {
    this.size = 0;
  }

  /** Appends a point; `key` must not be below the last key. */
  push(key: number, time: number, count: number): void {
    if (this.size === this.keys.length) this.thin();
    this.keys[this.size] = key;
    this.times[this.size] = time;
    this.counts[this.size] = count;
    this.size++;
  }

  /** Count at `key`, interpolated linearly; clamped outside the stored range. */
  countAtKey(key: number): number {
    return this.interpolate(this.counts, key);
  }

  /** Wall time at `key`, interpolated linearly; clamped outside the stored range. */
  timeAtKey(key: number): number {
    return this.interpolate(this.times, key);
  }

  /** Drops everything before `key`, making the interpolated point at `key` the first. */
  dropBefore(key: number): void {
    if (this.size === 0 || key <= this.keyAt(0)) return;
    const time = this.timeAtKey(key);
    const count = this.countAtKey(key);
    let keepFrom = 0;
    while (keepFrom < this.size && this.keyAt(keepFrom) <= key) keepFrom++;
    const kept = this.size - keepFrom;
    this.keys.copyWithin(1, keepFrom, this.size);
    this.times.copyWithin(1, keepFrom, this.size);
    this.counts.copyWithin(1, keepFrom, this.size);
    this.keys[0] = key;
    this.times[0] = time;
    this.counts[0] = count;
    this.size = kept + 1;
  }

  private interpolate(values: Float64Array, key: number): number {
    const n = this.size;
    if (n === 0) return Number.NaN;
    if (key <= this.keyAt(0)) return values[0] ?? Number.NaN;
    if (key >= this.keyAt(n - 1)) return values[n - 1] ?? Number.NaN;
    let lo = 0;
    let hi = n - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (this.keyAt(mid) <= key) lo = mid;
      else hi = mid;
    }
    const k0 = this.keyAt(lo);
    const k1 = this.keyAt(hi);
    const v0 = values[lo] ?? Number.NaN;
    const v1 = values[hi] ?? Number.NaN;
    return k1 > k0 ? v0 + ((v1 - v0) * (key - k0)) / (k1 - k0) : v1;
  }

  private thin(): void {
    // Keep point 0 (the regime start), every other point of the older half,
    // and the newer half intact.
    const half = this.size >> 1;
    let write = 1;
    const move = (read: number) => {
      this.keys[write] = this.keyAt(read);
      this.times[write] = this.timeAt(read);
      this.counts[write] = this.countAt(read);
      write++;
    };
    for (let read = 2; read < half; read += 2) move(read);
    for (let read = half; read < this.size; read++) move(read);
    this.size = write;
  }
}
