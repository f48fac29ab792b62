import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../src/index.js';
import { fakeTime } from './helpers/fake-clock.js';

describe('TokenBucket', () => {
  it('lets a full bucket through, then spaces requests at 1/rate', async () => {
    const time = fakeTime();
    const bucket = new TokenBucket({ ratePerSecond: 5, clock: time.clock, sleep: time.sleep });
    const waits: number[] = [];
    for (let i = 0; i < 8; i += 1) waits.push(await bucket.acquire());
    expect(waits).toEqual([0, 0, 0, 0, 0, 200, 200, 200]);
    expect(time.sleeps).toEqual([200, 200, 200]);
  });

  it('refills with elapsed time, never above capacity', () => {
    let now = 0;
    const bucket = new TokenBucket({ ratePerSecond: 2, capacity: 2, clock: () => now, sleep: () => Promise.resolve() });
    expect([bucket.reserve(), bucket.reserve(), bucket.reserve()]).toEqual([0, 0, 500]);
    now += 10_000; // long idle: refills to capacity (2), the debt of -1 included
    expect([bucket.reserve(), bucket.reserve(), bucket.reserve()]).toEqual([0, 0, 500]);
    now += 250; // half a token
    expect(bucket.reserve()).toBe(750);
  });

  it('queues concurrent callers in order without exceeding the rate', () => {
    const now = 1_000;
    const bucket = new TokenBucket({ ratePerSecond: 4, capacity: 1, clock: () => now, sleep: () => Promise.resolve() });
    const waits = Array.from({ length: 5 }, () => bucket.reserve());
    expect(waits).toEqual([0, 250, 500, 750, 1000]);
  });

  it('gives the token back when the wait is aborted', async () => {
    const now = 0;
    const bucket = new TokenBucket({
      ratePerSecond: 1,
      capacity: 1,
      clock: () => now,
      sleep: (_ms, signal) => Promise.reject(signal?.reason ?? new Error('aborted')),
    });
    expect(await bucket.acquire()).toBe(0);
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(bucket.acquire(controller.signal)).rejects.toThrow('stop');
    expect(bucket.reserve()).toBe(1000); // not 2000: the aborted reservation was returned
  });

  it('does not limit with an infinite rate', () => {
    const bucket = new TokenBucket({ ratePerSecond: Number.POSITIVE_INFINITY, clock: () => 0, sleep: () => Promise.resolve() });
    expect(Array.from({ length: 100 }, () => bucket.reserve()).every((w) => w === 0)).toBe(true);
  });
});
