import { formatCount, type ProgressReporter } from '@grin/progress';
import type { ConversionCounts } from '../convert/index.js';
import type { PipelineStats } from '../pipeline/pipeline-stats.js';
import type { ExtractionCounts } from '../stages/extraction-counts.js';

/** Run-wide counters shown beside the queue's own (conversion requests, extraction results). */
export interface ProgressExtras {
  conversions?: () => ConversionCounts;
  extraction?: ExtractionCounts;
}

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
export function pushStats(stats: PipelineStats, reporter: ProgressReporter, extras: ProgressExtras = {}): void {
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
  reporter.setExtra('sizes known', `${formatCount(stats.sizesKnown)}/${formatCount(stats.selected)}`);
  if (extras.conversions !== undefined) reporter.setExtra('conversions', conversionBrief(extras.conversions()));
  if (extras.extraction !== undefined) reporter.setExtra('extract', extractionBrief(extras.extraction));
}

/** e.g. `3 requested, 1 in process, 2 unavailable, queue full 4`; null while nothing happened. */
export function conversionBrief(c: ConversionCounts): string | null {
  const parts: string[] = [];
  const put = (n: number, label: string): void => {
    if (n > 0) parts.push(`${formatCount(n)} ${label}`);
  };
  put(c.requested, 'requested');
  put(c.already_in_process, 'in process');
  put(c.already_available, 'available');
  put(c.already_requested, 'requested before');
  put(c.unavailable, 'unavailable');
  put(c.conversion_failed, 'failed on GRIN');
  put(c.limit_reached, 'queue full');
  put(c.failed, 'request failed');
  return parts.length === 0 ? null : parts.join(', ');
}

/** e.g. `12 MARC, 1 no MARC, 13 OCR (2,345 pages), 1 failed`; null while nothing happened. */
export function extractionBrief(e: ExtractionCounts): string | null {
  const parts: string[] = [];
  if (e.marcExtracted > 0) parts.push(`${formatCount(e.marcExtracted)} MARC`);
  if (e.marcMissing > 0) parts.push(`${formatCount(e.marcMissing)} no MARC`);
  if (e.ocrExtracted > 0) parts.push(`${formatCount(e.ocrExtracted)} OCR (${formatCount(e.ocrPages)} pages)`);
  if (e.ocrMissing > 0) parts.push(`${formatCount(e.ocrMissing)} no OCR`);
  if (e.failures > 0) parts.push(`${formatCount(e.failures)} failed`);
  return parts.length === 0 ? null : parts.join(', ');
}

/**
 * Feeds the reporter from the stats on a timer (the pipeline itself never renders). Returns a
 * function that stops the timer after a final update.
 */
export function wireProgress(
  stats: PipelineStats,
  reporter: ProgressReporter,
  intervalMs = 500,
  timers: IntervalTimers = realTimers,
  extras: ProgressExtras = {},
): () => void {
  pushStats(stats, reporter, extras);
  const handle = timers.setInterval(() => pushStats(stats, reporter, extras), intervalMs);
  return () => {
    timers.clearInterval(handle);
    pushStats(stats, reporter, extras);
  };
}
