import { AdaptiveRateEstimator } from '../../src/rate/adaptive-rate-estimator.js';
import { SlidingWindowRateCalculator } from '../../src/rate/sliding-window-rate-calculator.js';

/**
 * An estimator as the benchmark drives it. `event` is called at each
 * progress event of the trace (libraries that update on every increment
 * work this way); `query` at each 1 Hz query instant before `rate` (where
 * timer-driven estimators take their sample or tick).
 */
export interface BenchEstimator {
  event(t: number, completed: number): void;
  query(t: number, completed: number): void;
  rate(t: number): number | null;
  /** Estimators that model more than a rate answer the ETA themselves. */
  eta?(t: number, remaining: number): number | null;
}

export interface EstimatorFactory {
  readonly name: string;
  create(initial: number): BenchEstimator;
}

/** Session average since the start: (completed - initial) / elapsed. */
const cumulative: EstimatorFactory = {
  name: 'cumulative',
  create(initial) {
    let done = 0;
    return {
      event(_t, completed) { done = completed - initial; },
      query() {},
      rate(t) { return t > 0 && done > 0 ? done / t : null; },
    };
  },
};

/**
 * The seed: a sample every 20 session completions into a 5-sample window
 * (as sync printed every 20 books). Uses our SlidingWindowRateCalculator
 * without the seed's 1 s clamp, i.e. the stronger variant.
 */
const seedWindow: EstimatorFactory = {
  name: 'seed-window',
  create(initial) {
    const calc = new SlidingWindowRateCalculator({ windowSize: 5, startTime: 0, startCount: initial });
    let lastBucket = 0;
    return {
      event(t, completed) {
        const bucket = Math.floor((completed - initial) / 20);
        if (bucket > lastBucket) {
          lastBucket = bucket;
          calc.addSample(t, completed);
        }
      },
      query() {},
      rate(t) {
        if (calc.sampleCount === 0) return null; // the seed prints nothing before its first sample
        const r = calc.getRate(t);
        return r !== null && r > 0 ? r : null;
      },
    };
  },
};

/**
 * tqdm's EMA (smoothing 0.3): on an update at least `mininterval` (0.1 s)
 * after the previous one, dn and dt each go through an EMA with bias
 * correction; rate = EMA(dn) / EMA(dt). Frozen between updates, like tqdm.
 */
const tqdmEma: EstimatorFactory = {
  name: 'tqdm-ema',
  create(initial) {
    const alpha = 0.3;
    let dnLast = 0, dtLast = 0, calls = 0, lastT = 0, lastN = initial;
    return {
      event(t, completed) {
        const dt = t - lastT, dn = completed - lastN;
        if (dt < 0.1 || dn <= 0) return;
        dnLast = alpha * dn + (1 - alpha) * dnLast;
        dtLast = alpha * dt + (1 - alpha) * dtLast;
        calls++;
        lastT = t;
        lastN = completed;
      },
      query() {},
      rate() {
        if (calls === 0 || dtLast <= 0) return null;
        // The bias corrections of numerator and denominator cancel.
        return dnLast / dtLast;
      },
    };
  },
};

/**
 * rclone's accounting average: every second, the rate of the last second
 * enters an EWMA of weight 1/16, with a soft start (weight 1/n for the first
 * 16 ticks).
 */
const rcloneEwma: EstimatorFactory = {
  name: 'rclone-ewma',
  create(initial) {
    let avg = 0, period = 0, lastCount = initial, lastTick = 0, current = initial;
    return {
      event(_t, completed) { current = completed; },
      query(t) {
        const elapsed = t - lastTick;
        const speed = elapsed > 0 ? (current - lastCount) / elapsed : 0;
        if (period < 16) period++;
        avg = (speed + (period - 1) * avg) / period;
        lastCount = current;
        lastTick = t;
      },
      rate() { return avg > 0 ? avg : null; },
    };
  },
};

/**
 * indicatif's estimator: time-weighted double exponential average (data
 * 15 s old weighs 0.1), normalised for its zero start, with a zero-rate
 * pseudo-sample at query time so a stall decays the rate.
 */
const indicatifEwa: EstimatorFactory = {
  name: 'indicatif-ewa',
  create(initial) {
    const weight = (age: number) => Math.pow(0.1, age / 15);
    let smoothed = 0, double = 0, prevSteps = initial, prevTime = 0;
    const startTime = 0;
    return {
      event(t, completed) {
        if (completed <= prevSteps || t <= prevTime) return;
        const dt = t - prevTime;
        const w = weight(dt);
        smoothed = smoothed * w + ((completed - prevSteps) / dt) * (1 - w);
        const total = 1 - weight(t - startTime);
        double = double * w + (smoothed / total) * (1 - w);
        prevSteps = completed;
        prevTime = t;
      },
      query() {},
      rate(t) {
        const re = weight(t - prevTime);
        const total = 1 - weight(t - startTime);
        if (total <= 0) return null;
        const s = smoothed * re;
        const d = double * re + s * (1 - re);
        const r = d / total;
        return r > 0 ? r : null;
      },
    };
  },
};

/** Ours, sampled on a 1 Hz timer as the reporter does. */
const ours: EstimatorFactory = {
  name: 'ours',
  create(initial) {
    const est = new AdaptiveRateEstimator({ startTime: 0, initialCompleted: initial });
    return {
      query(t, completed) { est.sample(t, completed); },
      event() {},
      rate(t) { return est.rate(t); },
      eta(t, remaining) { return est.eta(t, remaining); },
    };
  },
};

export const ESTIMATORS: readonly EstimatorFactory[] = [cumulative, seedWindow, tqdmEma, rcloneEwma, indicatifEwa, ours];
