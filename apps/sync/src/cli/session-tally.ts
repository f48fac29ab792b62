import type { ConversionRequester } from '../convert/index.js';
import type { PipelineStats } from '../pipeline/pipeline-stats.js';
import type { ExtractionCounts } from '../stages/extraction-counts.js';

/**
 * The sync session's counters over every queue of the run: the finished queues' pipeline counts,
 * the running queue's, the conversion requests and the extraction results, as one flat
 * `SessionCounts` record (`kind:reason` keys are grouped in process_summary.json's `by_reason`).
 */
export class SessionTally {
  private readonly finished: Record<string, number> = {};
  private finishedBytes = 0;
  /** The queue running now. */
  current: PipelineStats | null = null;
  /** Left out by the catalogue queues' selection, e.g. `selection:in_process`. */
  private readonly selection: Record<string, number> = {};

  constructor(
    private readonly requester: ConversionRequester | null,
    private readonly extraction: ExtractionCounts | null,
  ) {}

  /** Moves the running queue's counts into the finished ones. */
  finishQueue(stats: PipelineStats, leftOut?: Record<string, number>): void {
    add(this.finished, stats.counts());
    this.finishedBytes += stats.bytesDownloaded;
    if (leftOut !== undefined) add(this.selection, leftOut);
    if (this.current === stats) this.current = null;
  }

  counts(): Record<string, number> {
    const out: Record<string, number> = { ...this.finished };
    if (this.current !== null) add(out, this.current.counts());
    add(out, this.selection);
    if (this.requester !== null) add(out, this.requester.sessionCounts());
    if (this.extraction !== null) add(out, this.extraction.sessionCounts());
    return out;
  }

  /** Bytes received from GRIN over the session. */
  bytes(): number {
    return this.finishedBytes + (this.current?.bytesDownloaded ?? 0);
  }

  /** Volumes that failed over the session. */
  failed(): number {
    return (this.finished['failed'] ?? 0) + (this.current?.failed ?? 0);
  }
}

function add(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}
