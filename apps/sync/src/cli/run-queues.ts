import type { Catalogue } from '@grin/books';
import type { GrinClient } from '@grin/client';
import { createReporter, type ProgressReporter } from '@grin/progress';
import type { Shutdown } from '@grin/run';
import type { ConversionRequester, QueueSelectionCounts } from '../convert/index.js';
import { PipelineStats } from '../pipeline/pipeline-stats.js';
import type { ExtractionCounts } from '../stages/extraction-counts.js';
import { runSync, type SyncRunOptions, type SyncRunResult } from '../sync-run.js';
import type { SyncCliOptions } from './parse-args.js';
import { wireProgress } from './progress-wiring.js';
import type { SelectionPart } from './selection.js';
import type { SessionTally } from './session-tally.js';
import type { SyncCliDeps } from './sync-cli-deps.js';

/** How one queue (or the barcode list) of the run ended. */
export interface QueueRun {
  part: SelectionPart;
  result: SyncRunResult;
  /** What a catalogue queue's selection left out. */
  selection?: QueueSelectionCounts;
}

/** Why a queue did not run. */
export interface SkippedQueue {
  part: SelectionPart;
  reason: 'interrupted' | 'stopped' | 'conversion_state_unavailable';
}

export interface RunQueuesInput {
  parts: readonly SelectionPart[];
  o: SyncCliOptions;
  deps: SyncCliDeps;
  client: GrinClient;
  catalogue: Catalogue;
  shutdown: Shutdown;
  /** The run's conversion requester (catalogue queues); null when none runs or GRIN's lists could not be read. */
  requester: ConversionRequester | null;
  extraction: ExtractionCounts | null;
  tally: SessionTally;
  /** runSync options shared by every queue (client, storage, decryptor, events, consumers, ...). */
  pipeline: Omit<SyncRunOptions, 'source' | 'selectionTotal' | 'stats' | 'headPolicy' | 'notAvailable' | 'stop' | 'abort'>;
  log: (line: string) => void;
  added: { count: number; sample: string[] };
  /** Receives each queue's reporter (the CLI's log goes through the one in use). */
  onReporter: (reporter: ProgressReporter | undefined) => void;
}

/**
 * Runs the selection's parts one after the other (reference 5.2), each with fresh stats, a fresh
 * consecutive-failure counter and its own progress display. A catalogue queue (previous /
 * unconverted) HEADs every volume (so 404s land in the check) and hands each volume GRIN does not
 * have to the conversion requester without waiting (its calls are batched); the requester is
 * drained after the queue. A stop of any kind (Ctrl-C, too many failures, a fatal error) skips the
 * queues after it.
 */
export async function runQueues(input: RunQueuesInput): Promise<{ runs: QueueRun[]; skipped: SkippedQueue[] }> {
  const { parts, o, deps, shutdown, requester, tally, log } = input;
  const runs: QueueRun[] = [];
  const skipped: SkippedQueue[] = [];
  for (const [i, part] of parts.entries()) {
    const last = runs.at(-1);
    if (last !== undefined && last.result.stopReason !== 'completed') {
      skipped.push({ part, reason: shutdown.drain.aborted ? 'interrupted' : 'stopped' });
      continue;
    }
    if (shutdown.drain.aborted) {
      skipped.push({ part, reason: 'interrupted' });
      continue;
    }
    if (part.catalogueQueue !== null && requester === null) {
      skipped.push({ part, reason: 'conversion_state_unavailable' });
      continue;
    }
    const stats = new PipelineStats();
    tally.current = stats;
    // Ends what the part started beside the run (GRIN's listing being counted) with the queue.
    const partDone = new AbortController();
    const opened = part.open({
      client: input.client,
      signal: AbortSignal.any([shutdown.drain, partDone.signal]),
      catalogue: input.catalogue,
      requester,
      log,
      added: input.added,
      write: true,
      // A counted total is only a start: the source's own end sets the exact one (never undone).
      onTotal: (total) => {
        if (stats.selectionTotal === null) stats.selectionTotal = total;
      },
    });
    const reporter = createReporter({
      operation: parts.length > 1 ? `Syncing ${part.describe} (queue ${i + 1} of ${parts.length})` : `Syncing ${part.describe}`,
      unit: 'book',
      total: opened.total,
      stream: deps.stderr,
      mode: o.progress,
      env: deps.env,
    });
    input.onReporter(reporter);
    const stopProgress = wireProgress(stats, reporter, deps.tuning?.progressIntervalMs ?? 500, undefined, {
      ...(requester === null ? {} : { conversions: () => requester.counts() }),
      ...(input.extraction === null ? {} : { extraction: input.extraction }),
    });
    const conversion = part.catalogueQueue !== null ? requester : null;
    let result: SyncRunResult;
    try {
      result = await runSync({
        ...input.pipeline,
        source: opened.source,
        selectionTotal: opened.total,
        stats,
        headPolicy: conversion === null ? 'when-stored' : 'always',
        ...(conversion === null
          ? {}
          : {
              notAvailable: (barcode: string) => {
                // Not awaited: the requester batches `_process` calls, which may take a while.
                void conversion.request(barcode);
                return Promise.resolve('conversion');
              },
            }),
        stop: shutdown.drain,
        abort: shutdown.abort,
      });
      // Every request of the queue sent and recorded before the next queue (or the teardown).
      if (conversion !== null) await conversion.drain();
    } catch (error) {
      reporter.finish({ status: 'failed', message: (error as Error).message });
      input.onReporter(undefined);
      throw error;
    } finally {
      partDone.abort();
      stopProgress();
    }
    const selection = opened.counts?.();
    tally.finishQueue(stats, selection === undefined ? undefined : { 'selection:in_process': selection.inProcess, 'selection:conversion_failed': selection.conversionFailed, 'selection:invalid': selection.invalid });
    const message = finishMessage(result, o.maxConsecutiveFailures);
    reporter.finish({ status: reporterStatus(result), ...(message === undefined ? {} : { message }) });
    input.onReporter(undefined);
    runs.push({ part, result, ...(selection === undefined ? {} : { selection }) });
    const empty = emptyQueueWarning(part, result, input.catalogue);
    if (empty !== null) log(empty);
  }
  return { runs, skipped };
}

/** A queue that selected nothing says why, so a forgotten collect does not pass for a finished job. */
function emptyQueueWarning(part: SelectionPart, result: SyncRunResult, catalogue: Catalogue): string | null {
  if (result.stats.selected > 0 || result.stopReason !== 'completed') return null;
  if (part.catalogueQueue === null) return `warning: ${part.describe} selected no volume`;
  const books = catalogue.countBooks();
  return books === 0
    ? `warning: --queue ${part.catalogueQueue} selected nothing: the catalogue is empty. hint: run collect first (pnpm run collect -- --run-name SAME_NAME), then this command again`
    : `warning: --queue ${part.catalogueQueue} selected nothing: none of the catalogue's ${books.toLocaleString('en-US')} books qualifies (already synced or requested, in GRIN's queue, failed or unavailable)`;
}

function reporterStatus(result: SyncRunResult): 'completed' | 'interrupted' | 'failed' {
  if (result.stopReason === 'interrupted' || result.stopReason === 'aborted') return 'interrupted';
  return result.stopReason === 'completed' && result.stats.failed === 0 ? 'completed' : 'failed';
}

function finishMessage(result: SyncRunResult, limit: number): string | undefined {
  switch (result.stopReason) {
    case 'too_many_failures': {
      const last = result.lastFailure;
      return `stopped after ${limit} volumes failed in a row${last === undefined ? '' : `; last: ${last.barcode} (${last.step}): ${last.error.message}`}`;
    }
    case 'interrupted':
      return 'interrupted: in-flight volumes were finished and recorded; rerun to resume';
    case 'aborted':
      return 'stopped at once: in-flight volumes were abandoned (nothing partial was stored); rerun to resume';
    default:
      return undefined;
  }
}
