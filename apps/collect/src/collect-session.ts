import type { Catalogue } from '@grin/books';
import { createReporter, formatCount, formatDuration, type ProgressStream } from '@grin/progress';
import type { CollectOptions } from './cli-options.js';
import { collectListing, type CollectListingResult, type StoredPage } from './collector.js';
import type { GrinClient } from '@grin/client';
import type { CollectParameters, JobMetadata } from './job-metadata.js';
import type { MessageSink } from './message-sink.js';
import { ProgressFile } from './progress-file.js';
import { ProgressTracker } from './progress-tracker.js';
import type { RunFiles } from './run-files.js';
import type { WalkPlan } from './walk-plan.js';

export interface CollectSessionInput {
  options: CollectOptions;
  catalogue: Catalogue;
  client: Pick<GrinClient, 'listPages'>;
  files: RunFiles;
  plan: WalkPlan;
  parameters: CollectParameters;
  configHash: string;
  job: JobMetadata;
  /** Aborted by the first Ctrl-C. */
  drain: AbortSignal;
  messages: MessageSink;
  stderr: ProgressStream;
  env: Record<string, string | undefined>;
  /** Plain/json progress line interval (tests). */
  progressIntervalMs?: number;
  now?: () => Date;
}

export type SessionState = 'completed' | 'interrupted' | 'limit' | 'failed';

export interface CollectSessionOutcome {
  state: SessionState;
  error: Error | null;
  result: CollectListingResult | null;
  tracker: ProgressTracker;
  /** Last page committed in this session (for the messages). */
  lastPage: StoredPage | null;
}

/**
 * One session of the collect stage: opens the tracker's session, shows progress, runs the
 * collector, and ends the session with its outcome (never throws for a collector failure: the
 * caller still writes the run records before reporting the error).
 */
export async function runCollectSession(input: CollectSessionInput): Promise<CollectSessionOutcome> {
  const { options, catalogue, plan, messages } = input;
  const tracker = await ProgressTracker.start({
    catalogue,
    runName: options.runName,
    list: options.list,
    parameters: input.parameters,
    configHash: input.configHash,
    expectedTotal: options.expectedTotal,
    job: input.job,
    progressFile: new ProgressFile(input.files.directory, 10, input.now),
    ...(input.now ? { now: input.now } : {}),
  });
  announceResume(tracker, messages, options.list);

  const estimate = tracker.totalEstimate();
  const reporter = createReporter({
    operation: `Collecting ${options.list}`,
    unit: 'record',
    total: estimate.value,
    initialCompleted: plan.initialCompleted,
    stream: input.stderr,
    mode: options.progress,
    env: input.env,
    ...(input.progressIntervalMs === undefined ? {} : { intervalMs: input.progressIntervalMs }),
  });
  messages.attach(reporter);
  const pagesTotal = estimate.value === null ? null : Math.max(1, Math.ceil(estimate.value / options.pageSize));
  let lastPage: StoredPage | null = null;
  let sessionNew = 0;
  let withoutBarcode = 0;

  const onPage = async (page: StoredPage): Promise<void> => {
    lastPage = page;
    sessionNew += page.result.inserted;
    withoutBarcode += page.rowsWithoutBarcode;
    await tracker.pageStored();
    reporter.tick(page.rows + page.rowsWithoutBarcode);
    // First-set order is display order; the long barcode range goes last (cut first on a narrow terminal).
    reporter.setExtra('page', pagesTotal === null ? page.pageNumber : `${page.pageNumber}/~${pagesTotal}`);
    reporter.setExtra('new', sessionNew);
    if (page.firstBarcode !== null) reporter.setExtra('barcodes', `${page.firstBarcode}…${page.lastBarcode}`);
    if (withoutBarcode > 0) reporter.setExtra('without barcode', withoutBarcode);
    if (page.rowsWithoutBarcode > 0) {
      reporter.log(`page ${page.pageNumber}: ${page.rowsWithoutBarcode} row(s) without a barcode (counted, not stored)`);
    }
    if (page.untitled > 0) {
      reporter.log(`warning: page ${page.pageNumber}: ${page.untitled} row(s) without a title (expected only for NOT_AVAILABLE_FOR_DOWNLOAD)`);
    }
  };

  let result: CollectListingResult | null = null;
  let state: SessionState;
  let error: Error | null = null;
  try {
    result = await collectListing({
      catalogue,
      client: input.client,
      list: options.list,
      pageSize: options.pageSize,
      mode: options.refresh ? 'refresh' : 'insert',
      sessionId: tracker.sessionId,
      limit: options.limit,
      startUrl: plan.startUrl,
      startPageNumber: plan.startPageNumber,
      skip: plan.skip,
      signal: input.drain,
      onPage,
      onNotice: (m) => messages.say(m),
    });
    state = result.outcome;
  } catch (caught) {
    error = caught instanceof Error ? caught : new Error(String(caught));
    state = 'failed';
    tracker.recordFailure(error);
  }
  await tracker.finish(state, error ?? undefined);
  const limitNote = options.limit === null ? '' : `stopped after --limit ${formatCount(options.limit)} rows`;
  reporter.finish({
    status: state === 'completed' ? 'completed' : state === 'failed' ? 'failed' : 'interrupted',
    ...(state === 'limit' ? { message: limitNote } : state === 'failed' && error ? { message: error.message } : {}),
  });
  messages.detach();
  return { state, error, result, tracker, lastPage };
}

function announceResume(tracker: ProgressTracker, messages: MessageSink, list: string): void {
  const r = tracker.resume;
  if (r.resumeCount > 0) {
    const last = r.lastSession;
    messages.say(
      `Resumed (session #${r.resumeCount + 1}) of a job started ${r.job.job_started} by ` +
        `${r.job.started_by_user}@${r.job.hostname}; ${formatDuration(r.previousRuntimeSeconds)} spent collecting so far` +
        (last ? `; the last session ended ${last.status}.` : '.'),
    );
  }
  if (r.configChanged) {
    messages.say(
      `warning: the collect parameters of ${list} changed since the last session (config hash ` +
        `${r.previousConfigHash} -> now different). The saved cursor keeps the old page size until the listing restarts.`,
    );
  }
}
