import { describe, expect, it } from 'vitest';
import { ESTIMATORS, type EstimatorFactory } from '../bench/eta/estimators.js';
import { evaluate } from '../bench/eta/evaluate.js';
import { syntheticTraces } from '../bench/eta/synthetic-traces.js';
import type { BenchTrace } from '../bench/eta/trace.js';

const steady: BenchTrace = {
  name: 'steady', total: 1000, initial: 0,
  events: Array.from({ length: 1000 }, (_, i) => [(i + 1) / 2, i + 1] as const),
};

const fixed = (rate: number | null): EstimatorFactory => ({
  name: 'fixed',
  create: () => ({ event() {}, query() {}, rate: () => rate }),
});

describe('ETA benchmark metric', () => {
  it('scores a perfect rate as (almost) zero error', () => {
    expect(evaluate(fixed(2), steady)).toBeLessThan(0.01);
  });

  it('counts "no estimate" as 100 %', () => {
    expect(evaluate(fixed(null), steady)).toBe(1);
  });

  it('scores a rate twice too high as 50 % error', () => {
    expect(evaluate(fixed(4), steady)).toBeCloseTo(0.5, 1);
  });
});

describe('synthetic traces', () => {
  it('are deterministic per seed and cover the required shapes', () => {
    const a = syntheticTraces(3);
    expect(JSON.stringify(syntheticTraces(3)) === JSON.stringify(a)).toBe(true);
    expect(JSON.stringify(syntheticTraces(4)) === JSON.stringify(a)).toBe(false);
    expect(a.map((t) => t.name)).toEqual([
      'steady-pages', 'startup-overhead', 'step-down-40%', 'step-up-40%', 'periodic-stalls', 'bursty-batches',
      'resume-at-30%', 'pipeline-8-lognormal', 'pipeline-8-largest-last',
    ]);
    const problems: string[] = [];
    for (const trace of a) {
      if (trace.events.at(-1)?.[1] !== trace.total) problems.push(`${trace.name}: does not end at its total`);
      for (let i = 1; i < trace.events.length; i++) {
        const [t0, c0] = trace.events[i - 1] ?? [0, 0];
        const [t1, c1] = trace.events[i] ?? [0, 0];
        if (t1 < t0 || c1 < c0) problems.push(`${trace.name}: event ${i} goes backwards`);
      }
    }
    expect(problems).toEqual([]);
    expect(a.find((t) => t.name === 'resume-at-30%')?.initial).toBe(12_000);
  });

  it('replays every estimator on a trace', () => {
    const trace = syntheticTraces(1).find((t) => t.name === 'step-down-40%');
    expect(trace).toBeDefined();
    const errors = ESTIMATORS.map((e) => evaluate(e, trace as BenchTrace));
    expect(errors.every((e) => Number.isFinite(e) && e >= 0)).toBe(true);
  });
});
