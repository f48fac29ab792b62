import type { QueueState } from '../reporter/types.js';
import { extraEntries, formatProgressLine, type ExtraInput, type ProgressLineInput } from './progress-line.js';

/**
 * The seed's queue fields, in its order: `downloads: active/limit`,
 * `processing`, `waiting to download`, `waiting to be processed`.
 */
export function queueExtras(queue: QueueState): Array<readonly [string, string | number]> {
  return [
    ['downloads', `${queue.downloadsActive}/${queue.downloadLimit}`],
    ['processing', queue.processing],
    ['waiting to download', queue.waitingToDownload],
    ['waiting to be processed', queue.waitingToProcess],
  ];
}

/** Extras with the queue fields first (when there is a queue), then the caller's. */
export function withQueueExtras(queue: QueueState | null | undefined, extra: ExtraInput | undefined): Array<readonly [string, string | number]> {
  return [...(queue ? queueExtras(queue) : []), ...extraEntries(extra)];
}

/**
 * The queue variant (the seed's `show_queue_progress`): the generic line
 * with the queue depths first among the extras, e.g.
 * `Syncing: 120/5,000 books (2.4%) - 1.2 books/s - elapsed: 1m 40s - ETA: 1h 07m [downloads: 3/8, processing: 5, waiting to download: 120, waiting to be processed: 4]`.
 */
export function formatQueueProgressLine(input: ProgressLineInput & { readonly queue: QueueState }): string {
  return formatProgressLine({ ...input, extra: withQueueExtras(input.queue, input.extra) });
}
