import { setMaxListeners } from 'node:events';
import { abortableSleep, Semaphore, type GrinClient } from '@grin/client';
import type { Decryptor } from './decrypt/index.js';
import { PipelineStats } from './pipeline/pipeline-stats.js';
import { runQueuePipeline } from './pipeline/run-queue-pipeline.js';
import { checkVolume } from './stages/check-volume.js';
import { guardedEvents } from './stages/guarded-events.js';
import type { PlaintextConsumer } from './stages/plaintext-consumer.js';
import { isCodedError, SyncError } from './stages/sync-errors.js';
import type { CatalogueEvents, Checkpoint, SyncContext, TransferRetryPolicy } from './stages/sync-context.js';
import { transferVolume } from './stages/transfer-volume.js';
import type { FailureStep, TransferJob, VolumeOutcome } from './stages/volume-outcome.js';
import type { ArchiveStorage } from './storage/index.js';

/** Errors after which every further volume would fail the same way: the run stops at once. */
const RUN_FATAL_CODES = new Set([
  'auth_missing',
  'auth_refused',
  'permission_denied',
  'config_invalid',
  'passphrase_file',
  'gpg_missing',
  'storage_config',
  'catalogue_write_failed',
]);

export interface SyncRunOptions {
  /** The selector: barcodes, pulled lazily. */
  source: AsyncIterable<string>;
  /** How many barcodes the source will yield, when known up front. */
  selectionTotal?: number | null;
  client: GrinClient;
  storage: ArchiveStorage;
  decryptor: Decryptor;
  /** Catalogue events (the @grin/books batched writer). */
  events: CatalogueEvents;
  /** The catalogue's recorded synced ETag of a volume (`Catalogue.syncedEtag`). */
  recordedEtag: (barcode: string) => string | null;
  force?: boolean;
  /**
   * Skip a volume the catalogue records as synced when storage holds its archive with that ETag,
   * without asking GRIN (no HEAD): a rerun over a mostly synced library then costs no GRIN
   * requests for it, at the price of not noticing an archive GRIN re-converted (new ETag).
   */
  skipSynced?: boolean;
  headPolicy?: 'always' | 'when-stored';
  /** Concurrent GRIN downloads (GRIN allows 5 per account). */
  downloadConcurrency: number;
  /** Processing workers (decrypt + store + verify, consumers). */
  workers: number;
  /** Download workers doing the checks; default = downloadConcurrency. */
  checkWorkers?: number;
  /** Queue capacities; default 2 x the workers of the stage behind each queue. */
  queueCapacity?: { download?: number; process?: number };
  maxConsecutiveFailures: number;
  retry?: Partial<TransferRetryPolicy>;

  /** The branch for volumes GRIN answers 404 for (conversion requests, issue 6); see SyncContext. */
  notAvailable?: (barcode: string, signal: AbortSignal) => Promise<string | null>;
  /** Stages beside the store on the decrypted stream (extraction, issue 6). */
  consumers?: readonly PlaintextConsumer[];
  /** First Ctrl-C: stop feeding, finish in-flight volumes. */
  stop?: AbortSignal;
  /** Second Ctrl-C: abort in-flight volumes (pending objects aborted). */
  abort?: AbortSignal;
  stats?: PipelineStats;
  now?: () => Date;
  log?: (line: string) => void;
  checkpoint?: (point: Checkpoint, barcode: string) => void;
  onOutcome?: (outcome: VolumeOutcome) => void;
}

export type StopReason = 'completed' | 'interrupted' | 'aborted' | 'too_many_failures' | 'source_failed' | 'fatal';

export interface VolumeFailure {
  barcode: string;
  step: FailureStep;
  error: Error;
}

export interface SyncRunResult {
  stats: PipelineStats;
  stopReason: StopReason;
  /** The selector's error when stopReason is `source_failed`. */
  sourceError?: unknown;
  /** The error that stopped the run when stopReason is `fatal`. */
  fatalError?: Error;
  /** The first failures (at most 20) and the last one. */
  failures: VolumeFailure[];
  lastFailure?: VolumeFailure;
}

const MAX_LISTED_FAILURES = 20;

/** Runs the sync pipeline over `source` (see README "Design"); resolves when everything settled. */
export async function runSync(o: SyncRunOptions): Promise<SyncRunResult> {
  const stats = o.stats ?? new PipelineStats();
  stats.downloadLimit = o.downloadConcurrency;
  stats.selectionTotal = o.selectionTotal ?? null;
  const never = new AbortController().signal;
  const abort = o.abort ?? never;
  // Every volume in flight listens on the abort signal from several places (HTTP body, gpg,
  // archive reader, permits) and removes its listeners when done; Node's default cap of 10 would
  // print a false "memory leak" warning into the run's output as soon as ~3 volumes overlap.
  setMaxListeners((o.downloadConcurrency + o.workers) * 8 + 16, abort);
  const internalStop = new AbortController();
  const stop = AbortSignal.any([internalStop.signal, o.stop ?? never, abort]);
  const log = o.log ?? (() => {});
  const failures: VolumeFailure[] = [];
  let lastFailure: VolumeFailure | undefined;
  let fatalError: Error | undefined;
  let tooMany = false;

  const ctx: SyncContext = {
    client: o.client,
    storage: o.storage,
    decryptor: o.decryptor,
    events: guardedEvents(o.events),
    recordedEtag: o.recordedEtag,
    stats,
    permits: new Semaphore(o.downloadConcurrency, (n) => (stats.downloadsActive = n)),
    force: o.force ?? false,
    skipSynced: o.skipSynced ?? false,
    headPolicy: o.headPolicy ?? 'when-stored',
    retry: {
      attempts: o.retry?.attempts ?? 4,
      baseDelayMs: o.retry?.baseDelayMs ?? 2_000,
      maxDelayMs: o.retry?.maxDelayMs ?? 60_000,
      sleep: o.retry?.sleep ?? abortableSleep,
      random: o.retry?.random ?? Math.random,
    },
    consumers: o.consumers ?? [],
    now: o.now ?? (() => new Date()),
    abort,
    ...(o.checkpoint === undefined ? {} : { checkpoint: o.checkpoint }),
    ...(o.notAvailable === undefined ? {} : { notAvailable: o.notAvailable }),
    log,
  };

  const inFlight = new Set<string>();
  const finish = (outcome: VolumeOutcome): void => {
    switch (outcome.kind) {
      case 'synced':
        stats.synced++;
        if (outcome.source === 'storage') stats.countReason('synced', 'from_storage');
        stats.consecutiveFailures = 0;
        break;
      case 'skipped':
        stats.skipped++;
        stats.countReason('skipped', outcome.reason);
        break;
      case 'unavailable':
        // A property of the volume, not a sign that the run is broken: neither counts toward
        // the consecutive-failure stop nor resets it.
        stats.unavailable++;
        stats.countReason('unavailable', outcome.detail ?? 'not_available');
        break;
      case 'aborted':
        stats.dropped++;
        stats.countReason('dropped', 'aborted');
        break;
      case 'failed': {
        stats.failed++;
        // An extraction stage's failure is counted by its own reason (e.g. archive_unsafe).
        const reason = rootCause(outcome.error);
        const code = isCodedError(reason) ? reason.code : reason.name;
        stats.countReason('failed', code);
        const failure = { barcode: outcome.barcode, step: outcome.step, error: outcome.error };
        lastFailure = failure;
        if (failures.length < MAX_LISTED_FAILURES) failures.push(failure);
        log(`${outcome.barcode}: failed at ${outcome.step}: ${outcome.error.message}`);
        if (isCodedError(reason) && RUN_FATAL_CODES.has(reason.code)) {
          fatalError ??= reason;
          internalStop.abort(reason);
        }
        stats.consecutiveFailures++;
        if (stats.consecutiveFailures >= o.maxConsecutiveFailures && !tooMany) {
          tooMany = true;
          log(`${stats.consecutiveFailures} volumes failed in a row: no new volumes are started`);
          internalStop.abort(new Error('too many consecutive failures'));
        }
        break;
      }
    }
    o.onOutcome?.(outcome);
  };

  const checkWorkers = o.checkWorkers ?? o.downloadConcurrency;
  const result = await runQueuePipeline<string, TransferJob>({
    source: countingSource(o.source, stats),
    download: {
      workers: checkWorkers,
      run: async (barcode) => {
        if (inFlight.has(barcode)) {
          finish({ kind: 'skipped', barcode, reason: 'duplicate' });
          return null;
        }
        inFlight.add(barcode);
        const checked = await checkVolume(barcode, ctx);
        // No transfer (an outcome, or a read-back from storage): this volume adds no bytes.
        if (('kind' in checked && checked.kind !== 'aborted') || (!('kind' in checked) && checked.stored !== null)) {
          ctx.stats.settledWithoutBytes++;
        }
        if ('kind' in checked) {
          inFlight.delete(barcode);
          finish(checked);
          return null;
        }
        return checked;
      },
    },
    process: {
      workers: o.workers,
      run: async (job) => {
        try {
          finish(await transferVolume(job, ctx));
        } finally {
          inFlight.delete(job.barcode);
        }
      },
    },
    capacity: {
      download: o.queueCapacity?.download ?? 2 * checkWorkers,
      process: o.queueCapacity?.process ?? 2 * o.workers,
    },
    stop,
    stats,
    onDropped: (item) => {
      if (typeof item !== 'string') inFlight.delete(item.barcode);
    },
  });

  let stopReason: StopReason = 'completed';
  if (abort.aborted) stopReason = 'aborted';
  else if (fatalError !== undefined) stopReason = 'fatal';
  else if (tooMany) stopReason = 'too_many_failures';
  else if (o.stop?.aborted === true) stopReason = 'interrupted';
  else if (result.sourceError !== undefined) stopReason = 'source_failed';
  return {
    stats,
    stopReason,
    ...(result.sourceError === undefined ? {} : { sourceError: result.sourceError }),
    ...(fatalError === undefined ? {} : { fatalError }),
    failures,
    ...(lastFailure === undefined ? {} : { lastFailure }),
  };
}

/** The error behind a consumer (extraction stage) failure, else the error itself. */
function rootCause(error: Error): Error {
  if (error instanceof SyncError && error.code === 'consumer_failed' && error.cause instanceof Error) return error.cause;
  return error;
}

/** Passes the source through, fixing the selection total once it has ended by itself. */
async function* countingSource(source: AsyncIterable<string>, stats: PipelineStats): AsyncGenerator<string> {
  let n = 0;
  for await (const barcode of source) {
    n++;
    yield barcode;
  }
  stats.selectionTotal = n;
}
