import { setImmediate as tick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { BoundedQueue, QUEUE_END } from '../../src/pipeline/bounded-queue.js';
import { PipelineStats } from '../../src/pipeline/pipeline-stats.js';
import { runQueuePipeline } from '../../src/pipeline/run-queue-pipeline.js';

describe('BoundedQueue', () => {
  it('makes put wait while full and hands items over in order; close drains then ends', async () => {
    const q = new BoundedQueue<number>(2);
    expect(await q.put(1)).toBe(true);
    expect(await q.put(2)).toBe(true);
    let thirdAccepted: boolean | undefined;
    const third = q.put(3).then((ok) => (thirdAccepted = ok));
    await tick();
    expect(thirdAccepted).toBeUndefined(); // full: the producer waits
    expect(await q.take()).toBe(1);
    await third;
    expect(thirdAccepted).toBe(true);
    q.close();
    expect(await q.put(4)).toBe(false);
    expect(await q.take()).toBe(2);
    expect(await q.take()).toBe(3);
    expect(await q.take()).toBe(QUEUE_END);
    expect(q.maxDepth).toBe(2);
  });

  it('clear() drops waiting items and releases a waiting producer', async () => {
    const q = new BoundedQueue<string>(1);
    await q.put('a');
    const waiting = q.put('b');
    q.close();
    expect(q.clear()).toEqual(['a']);
    expect(await waiting).toBe(false);
    expect(await q.take()).toBe(QUEUE_END);
  });
});

describe('runQueuePipeline', { timeout: 120_000 }, () => {
  it('a million barcodes: pulled lazily, queues never above capacity, items in memory bounded', async () => {
    const N = 1_000_000;
    const cap = { download: 10, process: 14 };
    const workers = { download: 5, process: 7 };
    let pulled = 0;
    let finished = 0;
    let maxInFlight = 0;
    async function* selector(): AsyncGenerator<string> {
      for (let i = 0; i < N; i++) {
        pulled++;
        maxInFlight = Math.max(maxInFlight, pulled - finished);
        yield `B${i}`;
      }
    }
    const stats = new PipelineStats();
    let maxWaitingToDownload = 0;
    let maxWaitingToProcess = 0;
    const result = await runQueuePipeline<string, string>({
      source: selector(),
      download: {
        workers: workers.download,
        run: async (b) => {
          maxWaitingToDownload = Math.max(maxWaitingToDownload, stats.waitingToDownload);
          // Most volumes end at the check (skipped); every 100th needs the processing stage.
          if (b.endsWith('50')) return b;
          finished++;
          return null;
        },
      },
      process: {
        workers: workers.process,
        run: async () => {
          maxWaitingToProcess = Math.max(maxWaitingToProcess, stats.waitingToProcess);
          await tick();
          finished++;
        },
      },
      capacity: cap,
      stop: new AbortController().signal,
      stats,
    });
    expect(result.sourceExhausted).toBe(true);
    expect(finished).toBe(N);
    expect(stats.selected).toBe(N);
    expect(maxWaitingToDownload).toBeLessThanOrEqual(cap.download);
    expect(maxWaitingToProcess).toBeLessThanOrEqual(cap.process);
    // Everything pulled but unfinished sits in a queue, a worker, or the feeder's hand.
    expect(maxInFlight).toBeLessThanOrEqual(cap.download + cap.process + workers.download + workers.process + 1);
  });

  it('stop: the selector is no longer pulled, waiting items are dropped, items in a stage finish', async () => {
    const stop = new AbortController();
    let pulled = 0;
    async function* selector(): AsyncGenerator<number> {
      for (let i = 0; ; i++) {
        pulled++;
        yield i;
      }
    }
    const processed: number[] = [];
    const dropped: number[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const stats = new PipelineStats();
    const done = runQueuePipeline<number, number>({
      source: selector(),
      download: { workers: 2, run: async (n) => n },
      process: {
        workers: 2,
        run: async (n) => {
          await gate;
          processed.push(n);
        },
      },
      capacity: { download: 3, process: 3 },
      stop: stop.signal,
      stats,
      onDropped: (n) => dropped.push(n),
    });
    while (stats.processing < 2 || stats.waitingToProcess < 3) await tick();
    const pulledAtStop = pulled;
    stop.abort();
    release();
    const result = await done;
    expect(result.sourceExhausted).toBe(false);
    expect(processed.sort()).toEqual([0, 1]); // the two in flight finished
    expect(pulled).toBe(pulledAtStop);
    expect(dropped.length).toBe(result.dropped);
    expect(processed.length + dropped.length).toBe(pulled);
    expect(stats.dropped).toBe(dropped.length);
  });

  it('a failing selector stops feeding and is reported; what was selected still finishes', async () => {
    async function* selector(): AsyncGenerator<number> {
      yield 1;
      yield 2;
      throw new Error('listing failed');
    }
    const seen: number[] = [];
    const result = await runQueuePipeline<number, number>({
      source: selector(),
      download: { workers: 1, run: async (n) => n },
      process: { workers: 1, run: async (n) => void seen.push(n) },
      capacity: { download: 5, process: 5 },
      stop: new AbortController().signal,
    });
    expect((result.sourceError as Error).message).toBe('listing failed');
    // Items already taken by a stage finish; waiting ones are dropped by the stop.
    expect(seen.length + result.dropped).toBe(2);
  });
});
