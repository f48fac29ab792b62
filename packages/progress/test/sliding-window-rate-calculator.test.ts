import { describe, expect, it } from 'vitest';
import { ProgressError, SlidingWindowRateCalculator } from '../src/index.js';

describe('SlidingWindowRateCalculator', () => {
  it('falls back to the overall average before two samples', () => {
    const calc = new SlidingWindowRateCalculator({ startTime: 100 });
    expect(calc.getRate(110, 50)).toBe(5);
    calc.addSample(110, 50);
    expect(calc.getRate(120)).toBe(2.5); // newest count over time since start
  });

  it('uses the oldest and newest of the N most recent samples', () => {
    const calc = new SlidingWindowRateCalculator({ startTime: 0, windowSize: 3 });
    calc.addSample(1, 100); // slow start, will fall out of the window
    calc.addSample(2, 110);
    calc.addSample(3, 130);
    expect(calc.getRate(3)).toBe(15);
    calc.addSample(4, 150);
    expect(calc.sampleCount).toBe(3);
    expect(calc.getRate(4)).toBe(20); // (150 - 110) / (4 - 2)
  });

  it('defaults to a window of 5 samples', () => {
    const calc = new SlidingWindowRateCalculator({ startTime: 0 });
    for (let i = 1; i <= 8; i++) calc.addSample(i, i * i);
    expect(calc.sampleCount).toBe(5);
    expect(calc.getRate(8)).toBe((64 - 16) / 4);
  });

  it('does not clamp sub-second spans to one second (the seed did)', () => {
    const calc = new SlidingWindowRateCalculator({ startTime: 0 });
    calc.addSample(0.1, 0);
    calc.addSample(0.35, 100);
    expect(calc.getRate(0.35)).toBeCloseTo(400);
    const seedLike = new SlidingWindowRateCalculator({ startTime: 0, minSpanSeconds: 1 });
    seedLike.addSample(0.1, 0);
    seedLike.addSample(0.35, 100);
    expect(seedLike.getRate(0.35)).toBe(100);
  });

  it('excludes a resumed start count from the fallback', () => {
    const calc = new SlidingWindowRateCalculator({ startTime: 0, startCount: 1000 });
    expect(calc.getRate(10, 1050)).toBe(5);
  });

  it('gives no estimate for a zero time span', () => {
    const calc = new SlidingWindowRateCalculator({ startTime: 5 });
    expect(calc.getRate(5, 10)).toBeNull();
    calc.addSample(5, 10);
    calc.addSample(5, 20);
    expect(calc.getRate(5)).toBeNull();
  });

  it('rejects windows smaller than two samples', () => {
    expect(() => new SlidingWindowRateCalculator({ startTime: 0, windowSize: 1 })).toThrow(ProgressError);
    expect(() => new SlidingWindowRateCalculator({ startTime: 0, windowSize: 1.5 })).toThrow(
      expect.objectContaining({ name: 'ProgressError', code: 'PROGRESS_INVALID_OPTION', retryable: false, hint: expect.stringMatching(/windowSize/) }),
    );
  });
});
