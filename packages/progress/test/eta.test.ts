import { describe, expect, it } from 'vitest';
import { computeEta, DEFAULT_MAX_ETA_SECONDS, etaSeconds, formatEta } from '../src/index.js';

describe('computeEta', () => {
  it('divides remaining work by the rate, for items and bytes alike', () => {
    expect(computeEta({ remaining: 600, rate: 5 })).toEqual({ state: 'estimate', seconds: 120, capped: false });
    expect(computeEta({ remaining: 3 * 1024 ** 3, rate: 1024 ** 2 })).toEqual({ state: 'estimate', seconds: 3072, capped: false });
  });

  it('is unknown without a total or a rate', () => {
    expect(computeEta({ remaining: null, rate: 5 }).state).toBe('unknown');
    expect(computeEta({ remaining: 10, rate: null }).state).toBe('unknown');
    expect(computeEta({ remaining: 10, rate: 0 }).state).toBe('unknown');
  });

  it('is done when nothing remains', () => {
    expect(computeEta({ remaining: 0, rate: null })).toEqual({ state: 'done' });
    expect(formatEta({ state: 'done' })).toBe('done');
  });

  it('reports a stall instead of a runaway estimate', () => {
    const eta = computeEta({ remaining: 100, rate: 0.001, stalledSeconds: 45.7 });
    expect(eta.state).toBe('stalled');
    expect(formatEta(eta)).toBe('stalled 45s');
    expect(formatEta(computeEta({ remaining: 100, rate: 1, stalledSeconds: 125 }))).toBe('stalled 2m 05s');
  });

  it('caps huge values and says so', () => {
    const eta = computeEta({ remaining: 1e12, rate: 1 });
    expect(eta).toEqual({ state: 'estimate', seconds: DEFAULT_MAX_ETA_SECONDS, capped: true });
    expect(formatEta(eta)).toBe('> 99d');
    expect(formatEta(computeEta({ remaining: 7200, rate: 1, maxSeconds: 3600 }))).toBe('> 1h');
  });

  it('prefers seconds computed by the estimator', () => {
    expect(computeEta({ remaining: 10, rate: 1, seconds: 30 })).toEqual({ state: 'estimate', seconds: 30, capped: false });
    expect(computeEta({ remaining: 10, rate: 1, seconds: null }).state).toBe('unknown');
  });

  it('formats estimates and exposes seconds for machines', () => {
    const eta = computeEta({ remaining: 119.6, rate: 1 });
    expect(formatEta(eta)).toBe('2m 00s');
    expect(etaSeconds(eta)).toBeCloseTo(119.6);
    expect(etaSeconds({ state: 'unknown' })).toBeNull();
    expect(formatEta({ state: 'unknown' })).toBe('--');
  });
});
