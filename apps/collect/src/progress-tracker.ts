import { performance } from 'node:perf_hooks';
import { mergeCounts, type Catalogue, type RunSession, type SessionCounts } from '@grin/books';
import type { CollectParameters, JobMetadata } from './job-metadata.js';
import {
  buildProgressDocument,
  type ProgressState,
  type TotalEstimateMethod,
  type TrackerState,
} from './progress-document.js';
import type { ProgressFile } from './progress-file.js';

export const COLLECT_STAGE = 'collect';
const JOB_KEY = 'collect.job';

export interface ProgressTrackerOptions {
  catalogue: Catalogue;
  runName: string;
  list: string;
  parameters: CollectParameters;
  configHash: string;
  /** `--expected-total`, which wins over the previous walk's total. */
  expectedTotal: number | null;
  /** This process's job metadata; the stored one of the first session is kept on resume. */
  job: JobMetadata;
  progressFile: ProgressFile;
  /** Monotonic ms (default performance.now). */
  clock?: () => number;
  /** Wall clock (default new Date()). */
  now?: () => Date;
}

/** What the tracker found from earlier sessions of this run. */
export interface ResumeInfo {
  /** Sessions of this stage before this one. */
  resumeCount: number;
  previousRuntimeSeconds: number;
  job: JobMetadata;
  previousConfigHash: string | null;
  /** The last session had another config hash (parameters that should not change did). */
  configChanged: boolean;
  lastSession: RunSession | null;
}

/**
 * The seed's ProgressTracker, SQLite-backed: job metadata, resume count, runtime accumulated
 * across sessions, counts (new, updated, unchanged, without barcode, failed), the pagination
 * state and a total estimate. The truth is in books.db (run_sessions, run_metadata,
 * listing_cursor; the page counts are added inside each page's transaction by @grin/books);
 * `progress.json` is rewritten from it after every page.
 */
export class ProgressTracker {
  readonly sessionId: number;
  readonly resume: ResumeInfo;
  private readonly startedAt: number;
  private readonly sessionStartedAt: string;
  /** Counts of the earlier sessions, which no one changes while this one holds the run lock. */
  private readonly previousCounts: SessionCounts;
  private readonly clock: () => number;
  private readonly now: () => Date;
  private failed = 0;
  private lastError: string | null = null;
  private state: TrackerState = 'running';
  private endedRuntime: number | null = null;

  private constructor(private readonly options: ProgressTrackerOptions) {
    const { catalogue } = options;
    this.clock = options.clock ?? (() => performance.now());
    this.now = options.now ?? (() => new Date());
    const previous = catalogue.summarizeSessions(COLLECT_STAGE);
    const storedJob = catalogue.getMetadata<JobMetadata>(JOB_KEY);
    if (!storedJob) catalogue.setMetadata(JOB_KEY, options.job);
    const previousConfigHash = previous.last?.configHash ?? null;
    this.resume = {
      resumeCount: previous.sessions,
      previousRuntimeSeconds: previous.runtimeSeconds,
      job: storedJob ?? options.job,
      previousConfigHash,
      configChanged: previousConfigHash !== null && previousConfigHash !== options.configHash,
      lastSession: previous.last,
    };
    this.previousCounts = previous.counts;
    this.startedAt = this.clock();
    this.sessionId = catalogue.startSession({
      stage: COLLECT_STAGE,
      args: options.parameters,
      configHash: options.configHash,
      counts: {
        pages: 0, rowsSeen: 0, inserted: 0, updated: 0, unchanged: 0, withoutBarcode: 0,
        processed: 0, succeeded: 0, skipped: 0, failed: 0,
      },
    });
    this.sessionStartedAt = catalogue.getSession(this.sessionId)?.startedAt ?? this.now().toISOString();
  }

  /** Opens a new session (marking earlier running ones interrupted) and writes progress.json. */
  static async start(options: ProgressTrackerOptions): Promise<ProgressTracker> {
    const tracker = new ProgressTracker(options);
    await tracker.save();
    return tracker;
  }

  /** The total rows of a walk when known: `--expected-total`, else the previous full walk's. */
  totalEstimate(cursor = this.options.catalogue.getListingCursor(this.options.list)): {
    value: number | null;
    method: TotalEstimateMethod;
  } {
    if (this.options.expectedTotal !== null) return { value: this.options.expectedTotal, method: 'expected_total' };
    const last = cursor?.totalRowsLastWalk ?? null;
    return last === null ? { value: null, method: 'unknown' } : { value: last, method: 'previous_walk' };
  }

  /** Seconds of collecting in this session (frozen once the session ended). */
  sessionRuntimeSeconds(): number {
    return this.endedRuntime ?? (this.clock() - this.startedAt) / 1000;
  }

  /** After a page's transaction committed: records the runtime and rewrites the mirror. */
  async pageStored(): Promise<void> {
    this.options.catalogue.updateSession(this.sessionId, {
      runtimeSeconds: this.sessionRuntimeSeconds(),
      counts: this.stageCounts(),
    });
    await this.save();
  }

  /**
   * The counters every stage reports in process_summary.json, derived from the exact page counts
   * @grin/books keeps: processed = rows seen, succeeded = rows stored (new, updated or
   * unchanged), skipped = rows without a barcode, failed = pages that could not be collected.
   */
  private stageCounts(): Record<string, number> {
    const c = this.options.catalogue.getSession(this.sessionId)?.counts ?? {};
    return {
      processed: c['rowsSeen'] ?? 0,
      succeeded: (c['inserted'] ?? 0) + (c['updated'] ?? 0) + (c['unchanged'] ?? 0),
      skipped: c['withoutBarcode'] ?? 0,
      failed: this.failed,
    };
  }

  /** Counts a page that could not be collected (fetch/parse failure after retries). */
  recordFailure(error: Error): void {
    this.failed += 1;
    this.lastError = `${error.name}: ${error.message}`;
    this.options.catalogue.updateSession(this.sessionId, { counts: { failed: this.failed } });
  }

  /** Ends the session (limit and Ctrl-C count as interrupted) and writes the final mirror. */
  async finish(state: Exclude<TrackerState, 'running'>, error?: Error): Promise<void> {
    this.state = state;
    if (error) this.lastError = `${error.name}: ${error.message}`;
    const { catalogue } = this.options;
    this.endedRuntime = this.sessionRuntimeSeconds();
    catalogue.updateSession(this.sessionId, { runtimeSeconds: this.endedRuntime, counts: this.stageCounts() });
    const status = state === 'completed' ? 'completed' : state === 'failed' ? 'failed' : 'interrupted';
    catalogue.endSession(this.sessionId, status, state === 'failed' ? (error ?? this.lastError) : null);
    await this.save();
  }

  /** The current state as shown in progress.json, read from SQLite. */
  snapshot(): ProgressState {
    const { catalogue, list } = this.options;
    const sessionCounts = catalogue.getSession(this.sessionId)?.counts ?? {};
    const cursor = catalogue.getListingCursor(list);
    const estimate = this.totalEstimate(cursor);
    return {
      runName: this.options.runName,
      list,
      state: this.state,
      updatedAt: this.now(),
      job: this.resume.job,
      parameters: this.options.parameters,
      configHash: this.options.configHash,
      sessionId: this.sessionId,
      sessionStartedAt: this.sessionStartedAt,
      resumeCount: this.resume.resumeCount,
      sessionCounts,
      // What summarizing all sessions would give, without reading them again.
      allSessionCounts: mergeCounts({ ...this.previousCounts }, sessionCounts),
      sessionRuntimeSeconds: this.sessionRuntimeSeconds(),
      previousRuntimeSeconds: this.resume.previousRuntimeSeconds,
      totalEstimate: estimate.value,
      totalEstimateMethod: estimate.method,
      cursor,
      databasePath: catalogue.path,
      lastError: this.lastError,
    };
  }

  private async save(): Promise<void> {
    await this.options.progressFile.write(buildProgressDocument(this.snapshot()));
  }
}
