import { BoundedQueue, QUEUE_END } from './bounded-queue.js';
import type { PipelineStats } from './pipeline-stats.js';

/** One stage: `workers` loops each running `run` on one item at a time. */
export interface StageSpec<I, O> {
  workers: number;
  run(item: I): Promise<O>;
}

export interface QueuePipelineOptions<A, B> {
  /** The selector: pulled lazily, one item at a time, only when the first queue has room. */
  source: AsyncIterable<A>;
  /** Download workers: check (and in this app hold the download permit); null = finished here. */
  download: StageSpec<A, B | null>;
  /** Processing workers: everything after the check. */
  process: StageSpec<B, void>;
  /** Capacities of the queue in front of each stage. */
  capacity: { download: number; process: number };
  /** Aborted = stop feeding: the selector is no longer pulled and waiting items are dropped; items in a stage finish. */
  stop: AbortSignal;
  stats?: PipelineStats;
  /** Told about every item dropped unstarted by a stop. */
  onDropped?: (item: A | B) => void;
}

export interface QueuePipelineResult {
  /** The selector ended by itself (not cut short by a stop or an error). */
  sourceExhausted: boolean;
  /** What the selector threw, if it failed (the run then stopped feeding). */
  sourceError: unknown;
  /** Items dropped unstarted. */
  dropped: number;
}

const STOPPED = Symbol('stopped');

/**
 * Runs the two-queue pipeline (rclone's checkers -> transfers shape):
 *
 *   source -> [queue: waiting to download] -> download workers -> [queue: waiting to be processed] -> processing workers
 *
 * Memory is bounded by the two capacities plus the worker counts, whatever the source's length:
 * no task exists for an item before the feeder pulls it. Stage functions are expected to handle
 * their own failures (they return outcomes); if one throws anyway, the pipeline stops feeding,
 * lets the rest finish, and rethrows that error.
 */
export async function runQueuePipeline<A, B>(options: QueuePipelineOptions<A, B>): Promise<QueuePipelineResult> {
  const { stats, stop } = options;
  const toDownload = new BoundedQueue<A>(options.capacity.download);
  const toProcess = new BoundedQueue<B>(options.capacity.process);
  let dropped = 0;
  let sourceExhausted = false;
  let sourceError: unknown;
  let stageError: { error: unknown } | undefined;
  const internalStop = new AbortController();

  const syncDepths = (): void => {
    if (stats === undefined) return;
    stats.waitingToDownload = toDownload.depth;
    stats.waitingToProcess = toProcess.depth;
  };
  const drop = (item: A | B): void => {
    dropped++;
    if (stats !== undefined) stats.dropped++;
    options.onDropped?.(item);
  };
  const onStop = (): void => {
    toDownload.close();
    for (const item of toDownload.clear()) drop(item);
    toProcess.close();
    for (const item of toProcess.clear()) drop(item);
    syncDepths();
  };
  const stopSignal = AbortSignal.any([stop, internalStop.signal]);
  const stopped = new Promise<typeof STOPPED>((resolve) => {
    if (stopSignal.aborted) resolve(STOPPED);
    else stopSignal.addEventListener('abort', () => resolve(STOPPED), { once: true });
  });
  stopSignal.addEventListener('abort', onStop, { once: true });

  const feed = async (): Promise<void> => {
    const it = options.source[Symbol.asyncIterator]();
    let pendingNext: Promise<IteratorResult<A>> | undefined;
    try {
      while (!stopSignal.aborted) {
        pendingNext = it.next();
        const r = await Promise.race([pendingNext, stopped]);
        if (r === STOPPED) break;
        pendingNext = undefined;
        if (r.done === true) {
          sourceExhausted = true;
          break;
        }
        if (stats !== undefined) stats.selected++;
        const accepted = await toDownload.put(r.value);
        syncDepths();
        if (!accepted) {
          drop(r.value);
          break;
        }
      }
    } catch (err) {
      sourceError = err;
      internalStop.abort(err);
    } finally {
      toDownload.close();
      syncDepths();
      if (stats !== undefined) stats.selectionDone = true;
      // Let the selector release what it holds (e.g. a prefetched page); never wait on it here,
      // as a pending next() may still be waiting on the network until the stop reaches it.
      const release = (): void => void Promise.resolve(it.return?.()).catch(() => undefined);
      if (pendingNext !== undefined) void pendingNext.then(release, release);
      else if (!sourceExhausted) release();
    }
  };

  const runStage = async <I, O>(queue: BoundedQueue<I>, spec: StageSpec<I, O>, after: (result: O) => Promise<void>, busy: 'checking' | 'processing'): Promise<void> => {
    for (;;) {
      const item = await queue.take();
      syncDepths();
      if (item === QUEUE_END) return;
      if (stats !== undefined) stats[busy]++;
      let result: O;
      try {
        result = await spec.run(item);
      } catch (error) {
        stageError ??= { error };
        internalStop.abort(error);
        continue;
      } finally {
        if (stats !== undefined) stats[busy]--;
      }
      await after(result);
    }
  };

  const downloadWorkers = Array.from({ length: options.download.workers }, () =>
    runStage(toDownload, options.download, async (next) => {
      if (next === null) return;
      const accepted = await toProcess.put(next);
      syncDepths();
      if (!accepted) drop(next);
    }, 'checking'),
  );
  const processWorkers = Array.from({ length: options.process.workers }, () =>
    runStage(toProcess, options.process, async () => undefined, 'processing'),
  );

  const feeding = feed();
  await Promise.all(downloadWorkers);
  toProcess.close();
  await Promise.all(processWorkers);
  await feeding;
  stopSignal.removeEventListener('abort', onStop);
  syncDepths();
  if (stageError !== undefined) throw stageError.error;
  return { sourceExhausted, sourceError, dropped };
}
