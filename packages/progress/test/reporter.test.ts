import { Writable } from 'node:stream';
import { setImmediate as tick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { makeReporter } from './helpers/make-reporter.js';

describe('reporter', () => {
  it('does not read the clock on tick() or addBytes()', () => {
    const { reporter, time } = makeReporter({ mode: 'off' });
    const reads = time.clockReads;
    for (let i = 0; i < 10_000; i++) {
      reporter.tick();
      reporter.addBytes(10);
    }
    reporter.tick(5);
    expect(time.clockReads).toBe(reads);
    expect(reporter.snapshot().completed).toBe(10_005);
    expect(reporter.snapshot().bytes).toBe(100_000);
  });

  it('samples on the timer and estimates rate and ETA', () => {
    const { reporter, time } = makeReporter({ mode: 'off', total: 1000 });
    for (let s = 0; s < 60; s++) {
      reporter.tick(5);
      time.advance(1000);
    }
    const snap = reporter.snapshot();
    expect(snap.rate).toBeCloseTo(5, 1);
    expect(snap.etaSeconds).toBeGreaterThan(130);
    expect(snap.etaSeconds).toBeLessThan(150);
    expect(snap.etaBasis).toBe('items');
    expect(snap.percent).toBeCloseTo(30);
    expect(snap.elapsedSeconds).toBeCloseTo(60);
  });

  it('shows resumed work in counts but not in the rate', () => {
    const { reporter, time } = makeReporter({ mode: 'off', total: 10_000, initialCompleted: 3000 });
    for (let s = 0; s < 30; s++) {
      reporter.tick(2);
      time.advance(1000);
    }
    const snap = reporter.snapshot();
    expect(snap.completed).toBe(3060);
    expect(snap.sessionCompleted).toBe(60);
    expect(snap.rate).toBeCloseTo(2, 1);
    const summary = reporter.finish();
    expect(summary.sessionCompleted).toBe(60);
    expect(summary.averageRate).toBeCloseTo(2, 1);
  });

  it('keeps extras in first-set order; null removes', () => {
    const { reporter } = makeReporter({ mode: 'off' });
    reporter.setExtra('current', 'A');
    reporter.setExtra('failed', 0);
    reporter.setExtra('current', 'B');
    expect(Object.entries(reporter.snapshot().extra)).toEqual([['current', 'B'], ['failed', 0]]);
    reporter.setExtra('current', null);
    expect(reporter.snapshot().extra).toEqual({ failed: 0 });
  });

  it('uses bytes for the ETA when the byte total is known, and a flowing download is not a stall', () => {
    const { reporter, time } = makeReporter({ mode: 'off', total: 10, bytesTotal: 1000 * 1024 ** 2 });
    reporter.tick();
    for (let s = 0; s < 120; s++) {
      reporter.addBytes(1024 ** 2);
      time.advance(1000);
    }
    const snap = reporter.snapshot();
    expect(snap.etaBasis).toBe('bytes');
    expect(snap.byteRate).toBeCloseTo(1024 ** 2, -3);
    expect(snap.etaSeconds).toBeGreaterThan(850);
    expect(snap.etaSeconds).toBeLessThan(900);
    expect(snap.stalledSeconds).toBeNull();
  });

  it('reports a stall when nothing moves', () => {
    const { reporter, time } = makeReporter({ mode: 'off', total: 1000 });
    for (let s = 0; s < 60; s++) {
      reporter.tick(5);
      time.advance(1000);
    }
    time.advance(45_000);
    const snap = reporter.snapshot();
    expect(snap.eta.state).toBe('stalled');
    // Progress was last seen on the sample 0.25 s after the last tick.
    expect(snap.stalledSeconds).toBeCloseTo(45.75, 5);
  });

  it('finish() is idempotent and stops the timer', () => {
    const { reporter, time, stream } = makeReporter({ mode: 'plain', total: 10 });
    reporter.tick(10);
    time.advance(2000);
    const first = reporter.finish();
    const written = stream.text();
    time.advance(60_000);
    const second = reporter.finish({ status: 'failed' });
    expect(second).toBe(first);
    expect(first.status).toBe('completed');
    expect(stream.text()).toBe(written);
    expect(time.activeIntervals).toBe(0);
    expect(reporter.snapshot().elapsedSeconds).toBeCloseTo(2);
  });

  it('survives a broken output stream (EPIPE) without crashing the job', async () => {
    let writes = 0;
    const broken = new Writable({
      write(_chunk, _encoding, callback) {
        writes++;
        callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const { reporter, time } = makeReporter({ mode: 'plain', intervalMs: 1000, stream: broken });
    await tick();
    for (let s = 0; s < 5; s++) {
      reporter.tick();
      time.advance(1000);
      await tick();
    }
    const summary = reporter.finish();
    await tick();
    expect(summary.completed).toBe(5);
    expect(writes).toBe(1); // the start line failed; nothing was written after that
  });

  it('rejects invalid options with a ProgressError', () => {
    expect(() => makeReporter({ mode: 'off', total: -1 })).toThrow(/total must be/);
    expect(() => makeReporter({ mode: 'off', intervalMs: 0 })).toThrow(expect.objectContaining({ code: 'PROGRESS_INVALID_OPTION' }));
    expect(() => makeReporter({ mode: 'off', initialCompleted: Number.NaN })).toThrow(/initialCompleted/);
  });

  it('reports the summary fields', () => {
    const { reporter, time } = makeReporter({ mode: 'off', total: 100 });
    reporter.tick(40);
    reporter.setBytes(4096, 10_000);
    time.advance(8000);
    const summary = reporter.finish({ status: 'interrupted', message: 'stopped by user' });
    expect(summary).toMatchObject({
      operation: 'Syncing', status: 'interrupted', message: 'stopped by user', completed: 40, total: 100,
      bytes: 4096, bytesTotal: 10_000, elapsedSeconds: 8, averageRate: 5, averageByteRate: 512,
    });
  });
});
