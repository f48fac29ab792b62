import { describe, expect, it } from 'vitest';
import { AdaptiveRateEstimator } from '../src/index.js';

/** Samples `count(t)` every `step` seconds over [from, to]. */
function drive(est: AdaptiveRateEstimator, from: number, to: number, step: number, count: (t: number) => number): void {
  for (let i = 0; from + i * step <= to + 1e-9; i++) {
    const t = from + i * step;
    est.sample(t, Math.floor(count(t) + 1e-9));
  }
}

describe('AdaptiveRateEstimator', () => {
  it('has no estimate before two distinct progress observations', () => {
    const est = new AdaptiveRateEstimator({ startTime: 0 });
    expect(est.rate(5)).toBeNull();
    est.sample(1, 0);
    expect(est.rate(1)).toBeNull();
    est.sample(2, 10);
    expect(est.rate(2)).toBeNull();
    expect(est.eta(2, 100)).toBeNull();
    est.sample(3, 20);
    expect(est.rate(3)).toBeCloseTo(10);
  });

  it('measures a steady rate', () => {
    const est = new AdaptiveRateEstimator({ startTime: 0 });
    drive(est, 0, 300, 1, (t) => 10 * t);
    expect(est.rate(300)).toBeCloseTo(10, 5);
    expect(est.eta(300, 1000)).toBeCloseTo(100, 0);
  });

  it('handles sub-second sampling and spans without clamping', () => {
    const est = new AdaptiveRateEstimator({ startTime: 0 });
    drive(est, 0, 0.5, 0.05, (t) => 2000 * t);
    expect(est.rate(0.5)).toBeCloseTo(2000, -1);
    drive(est, 0.55, 30, 0.05, (t) => 2000 * t);
    expect(est.rate(30)).toBeCloseTo(2000, -1);
  });

  it('counts only this session after a resume', () => {
    const est = new AdaptiveRateEstimator({ startTime: 0, initialCompleted: 30_000 });
    drive(est, 0, 120, 1, (t) => 30_000 + 5 * t);
    expect(est.rate(120)).toBeCloseTo(5, 5);
  });

  it('ignores idle start-up time', () => {
    const est = new AdaptiveRateEstimator({ startTime: 0 });
    drive(est, 0, 200, 1, (t) => (t < 60 ? 0 : 10 * (t - 60)));
    expect(est.rate(200)).toBeCloseTo(10, 5);
  });

  it('follows a lasting change of rate', () => {
    const est = new AdaptiveRateEstimator({ startTime: 0 });
    drive(est, 0, 600, 1, (t) => (t < 300 ? 20 * t : 6000 + 5 * (t - 300)));
    const rate = est.rate(600) ?? 0;
    expect(rate).toBeGreaterThan(4.5);
    expect(rate).toBeLessThan(5.5);
    expect(est.regimeStart).toBeGreaterThanOrEqual(290);
  });

  it('decays during a stall: ETA grows, never frozen, never infinite', () => {
    const est = new AdaptiveRateEstimator({ startTime: 0 });
    drive(est, 0, 300, 1, (t) => 10 * t);
    expect(est.stalledSeconds(300)).toBeNull();
    let previousRate = Infinity;
    let previousEta = 0;
    for (let t = 320; t <= 3600; t += 20) {
      est.sample(t, 3000);
      const rate = est.rate(t);
      const eta = est.eta(t, 1000);
      expect(rate).not.toBeNull();
      expect(eta).not.toBeNull();
      expect(rate ?? 0).toBeLessThan(previousRate);
      expect(eta ?? 0).toBeGreaterThan(previousEta);
      expect(Number.isFinite(eta)).toBe(true);
      previousRate = rate ?? 0;
      previousEta = eta ?? 0;
    }
    // 3300 s without progress after 300 s at 10/s: the rate reflects the whole span.
    expect(previousRate).toBeCloseTo(3000 / 3600, 1);
    expect(est.stalledSeconds(3600)).toBeCloseTo(3300, 0);
  });

  it('recovers after a stall without forgetting that stalls happen', () => {
    const est = new AdaptiveRateEstimator({ startTime: 0 });
    // 10/s with a 30 s pause after every 240 s of work: long-run rate 10 * 240 / 270.
    let done = 0;
    let t = 0;
    for (let cycle = 0; cycle < 8; cycle++) {
      for (let s = 0; s < 240; s++) est.sample(++t, (done += 10));
      for (let s = 0; s < 30; s++) est.sample(++t, done);
    }
    for (let s = 0; s < 100; s++) est.sample(++t, (done += 10));
    expect(est.rate(t) ?? 0).toBeCloseTo((10 * 240) / 270, 0);
  });

  it('does not call the gaps of batched reporting a stall', () => {
    const est = new AdaptiveRateEstimator({ startTime: 0 });
    // 500 units reported every 20 s.
    for (let t = 1; t <= 400; t++) est.sample(t, Math.floor(t / 20) * 500);
    expect(est.stalledSeconds(415)).toBeNull();
    expect(est.rate(415)).toBeCloseTo(25, 0);
    expect(est.stalledSeconds(500)).not.toBeNull();
  });

  it('counts the ETA down between reports', () => {
    const est = new AdaptiveRateEstimator({ startTime: 0 });
    for (let t = 1; t <= 400; t++) est.sample(t, Math.floor(t / 20) * 500);
    const atReport = est.eta(400, 5000) ?? 0;
    const later = est.eta(410, 5000) ?? 0;
    expect(later).toBeLessThan(atReport);
    expect(atReport - later).toBeCloseTo(10, 0);
  });

  it('extrapolates a steady drift of pace', () => {
    const est = new AdaptiveRateEstimator({ startTime: 0 });
    // Each unit takes longer than the one before: pace(c) = 0.1 + 0.001 c seconds.
    let t = 0;
    for (let c = 1; c <= 600; c++) {
      t += 0.1 + 0.001 * c;
      est.sample(t, c);
    }
    const remaining = 200;
    const truth = Array.from({ length: remaining }, (_, i) => 0.1 + 0.001 * (601 + i)).reduce((a, b) => a + b, 0);
    const naive = remaining / (est.rate(t) ?? 1);
    const eta = est.eta(t, remaining) ?? 0;
    expect(Math.abs(eta - truth)).toBeLessThan(Math.abs(naive - truth));
  });

  it('starts over when the count goes backwards', () => {
    const est = new AdaptiveRateEstimator({ startTime: 0 });
    drive(est, 0, 100, 1, (t) => 10 * t);
    est.sample(101, 5);
    expect(est.rate(101)).toBeNull();
    drive(est, 102, 150, 1, (t) => 5 + 2 * (t - 101));
    expect(est.rate(150)).toBeCloseTo(2, 1);
  });

  it('keeps memory bounded on long runs', () => {
    const est = new AdaptiveRateEstimator({ startTime: 0, capacity: 64 });
    drive(est, 0, 20_000, 1, (t) => 3 * t);
    expect(est.rate(20_000)).toBeCloseTo(3, 5);
  });
});
