import type { ProgressReporter } from '@grin/progress';
import type { PipelineStats } from '../pipeline/pipeline-stats.js';

export interface IntervalTimers {
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

const realTimers: IntervalTimers = {
  setInterval: (cb, ms) => {
    const h = setInterval(cb, ms);
    h.unref();
    return h;
  },
  clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
};

/** Copies the stats into the reporter once (counts, totals, bytes, queue depths, extras). */
export function pushStats(stats: PipelineStats, reporter: ProgressReporter): void {
  reporter.set(stats.done);
  reporter.setTotal(stats.selectionTotal);
  reporter.setBytes(stats.bytesDownloaded, stats.expectedBytes());
  reporter.setQueue({
    downloadsActive: stats.downloadsActive,
    downloadLimit: stats.downloadLimit,
    processing: stats.processing,
    waitingToDownload: stats.waitingToDownload + stats.checking,
    waitingToProcess: stats.waitingToProcess,
  });
  reporter.setExtra('synced', stats.synced);
  reporter.setExtra('skipped', stats.skipped);
  reporter.setExtra('not on GRIN', stats.unavailable > 0 ? stats.unavailable : null);
  reporter.setExtra('failed', stats.failed > 0 ? stats.failed : null);
  reporter.setExtra('sizes known', `${stats.sizesKnown}/${stats.selected}`);
}

/**
 * Feeds the reporter from the stats on a timer (the pipeline itself never renders). Returns a
 * function that stops the timer after a final update.
 */
export function wireProgress(stats: PipelineStats, reporter: ProgressReporter, intervalMs = 500, timers: IntervalTimers = realTimers): () => void {
  pushStats(stats, reporter);
  const handle = timers.setInterval(() => pushStats(stats, reporter), intervalMs);
  return () => {
    timers.clearInterval(handle);
    pushStats(stats, reporter);
  };
}
