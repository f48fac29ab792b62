import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { acquireRunLock, openCatalogue, writeProcessSummary, type Catalogue, type RunLock, type WriterTimers } from '@grin/books';
import type { GrinClient } from '@grin/client';
import { createReporter, type ProgressReporter } from '@grin/progress';
import { ExitCode, type Shutdown } from '@grin/run';
import { readRunConfig, writeRunConfig, type RunConfig } from '../config/run-config.js';
import { createStorage, describeStorage } from '../config/storage-settings.js';
import { createDecryptor, type Decryptor } from '../decrypt/index.js';
import { PipelineStats } from '../pipeline/pipeline-stats.js';
import type { CatalogueEvents, Checkpoint } from '../stages/sync-context.js';
import { SyncError } from '../stages/sync-errors.js';
import { LocalStorage, type ArchiveStorage } from '../storage/index.js';
import { runSync, type SyncRunResult } from '../sync-run.js';
import type { SyncCliDeps } from './sync-cli-deps.js';
import type { SyncCliOptions } from './parse-args.js';
import { wireProgress } from './progress-wiring.js';
import { recordedSettings, type RunSettings } from './run-settings.js';
import type { PreparedSelection } from './selection.js';
import { formatSummary } from './summary.js';

export interface RunCommandInput {
  o: SyncCliOptions;
  s: RunSettings;
  runDir: string;
  recorded: RunConfig | null;
  selection: PreparedSelection;
  client: GrinClient;
  shutdown: Shutdown;
  deps: SyncCliDeps;
  checkpoint: ((point: Checkpoint, barcode: string) => void) | undefined;
  simulated: boolean;
  /** Routes the GRIN client's diagnostics to the progress display's log. */
  setLogger: (log: (line: string) => void) => void;
}

/**
 * A real run: lock, record the run settings, open the catalogue and a session, build storage and
 * the decryptor, check GRIN access, run the pipeline with progress, then flush, close the session,
 * write process_summary.json and print the summary. Returns the exit code; errors that end the
 * run are thrown (the CLI maps them).
 */
export async function runCommand(input: RunCommandInput): Promise<number> {
  const { o, s, runDir, selection, client, shutdown, deps, checkpoint } = input;
  const started = performance.now();
  const cleanups: (() => Promise<void> | void)[] = [];
  const cleanup = async (): Promise<void> => {
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch {
        // keep closing the rest; the run's own outcome is what matters
      }
    }
  };
  let lock: RunLock | undefined;
  let catalogue: Catalogue | undefined;
  let reporter: ProgressReporter | undefined;
  try {
    lock = acquireRunLock(runDir);
    cleanups.push(() => lock?.release());
    const log = (line: string): void => {
      if (reporter !== undefined) reporter.log(line);
      else deps.stderr.write(`${line}\n`);
    };
    input.setLogger(log);

    // Everything that can be wrong with the configuration fails here, before anything is written.
    const decryptor: Decryptor = await createDecryptor({ passphraseFile: s.passphraseFile, allowLegacyWithoutIntegrity: o.allowLegacyWithoutIntegrity });
    cleanups.push(() => decryptor.close());
    if (decryptor.passphraseFileGroupOrWorldReadable) log(`warning: ${s.passphraseFile} is readable by other users; chmod 600 it`);
    const storage: ArchiveStorage = createStorage(s.storage, o.runName, o.storage, deps.env, (w) => log(`storage: ${w.message}`));
    cleanups.push(() => storage.close());
    await client.probe(shutdown.drain);

    // Re-read under the lock: another run may have written it meanwhile.
    await writeRunConfig(runDir, (await readRunConfig(runDir)) ?? input.recorded, recordedSettings(o, s, o.runName, input.simulated));
    catalogue = openCatalogue(join(runDir, 'books.db'));
    const cat = catalogue;
    cleanups.push(() => cat.close());
    if (storage instanceof LocalStorage) {
      const removed = await storage.sweepStaleTemps();
      if (removed.length > 0) log(`removed ${removed.length} temp file(s) left by an interrupted run`);
    }
    const sessionId = cat.startSession({ stage: 'sync', args: sessionArgs(o, s) });
    let sessionOpen = true;
    cleanups.push(() => {
      // Only when the run ended by an error: the session must not stay "running".
      if (sessionOpen) cat.endSession(sessionId, 'failed', 'the run stopped with an error');
    });
    checkpoint?.('startup', '');

    // The catalogue writer: its timer-driven flush is where the crash tests stop "during the flush".
    let syncedPending = 0;
    const timers: WriterTimers | undefined =
      checkpoint === undefined
        ? undefined
        : {
            setTimeout: (cb, ms) => {
              const h = setTimeout(() => {
                if (syncedPending > 0) checkpoint('flush', '');
                syncedPending = 0;
                cb();
              }, ms);
              h.unref();
              return h;
            },
            clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
          };
    let writerError: unknown;
    const writer = cat.createStatusWriter({
      sessionId,
      ...(timers === undefined ? {} : { timers }),
      onError: (e) => {
        writerError = e;
        log(`catalogue: commit failed, will retry: ${(e as Error).message}`);
      },
    });
    const events: CatalogueEvents =
      checkpoint === undefined
        ? writer
        : Object.assign(Object.create(writer) as CatalogueEvents, {
            synced: (...args: Parameters<CatalogueEvents['synced']>) => {
              syncedPending++;
              writer.synced(...args);
            },
          });

    const stats = new PipelineStats();
    reporter = createReporter({
      operation: `Syncing ${selection.describe}`,
      unit: 'book',
      total: selection.total,
      stream: deps.stderr,
      mode: o.progress,
      env: deps.env,
    });
    const stopProgress = wireProgress(stats, reporter, deps.tuning?.progressIntervalMs ?? 500);
    const sessionTimer = setInterval(() => {
      try {
        cat.updateSession(sessionId, { counts: stats.counts(), bytes: stats.bytesDownloaded, runtimeSeconds: (performance.now() - started) / 1000 });
      } catch {
        // a busy/full disk shows up in the writer's own errors
      }
    }, 5_000);
    sessionTimer.unref();

    const added = { count: 0, sample: [] as string[] };
    let result: SyncRunResult;
    try {
      result = await runSync({
        source: selection.source({ client, signal: shutdown.drain, catalogue: cat, log, added }),
        selectionTotal: selection.total,
        client,
        storage,
        decryptor,
        events,
        recordedEtag: (b) => cat.syncedEtag(b),
        force: o.force,
        downloadConcurrency: s.downloadConcurrency,
        workers: s.workers,
        maxConsecutiveFailures: o.maxConsecutiveFailures,
        retry: {
          ...(deps.tuning?.retryBaseDelayMs === undefined ? {} : { baseDelayMs: deps.tuning.retryBaseDelayMs }),
          ...(deps.tuning?.sleep === undefined ? {} : { sleep: deps.tuning.sleep }),
        },
        consumers: deps.consumers ?? [],
        stop: shutdown.drain,
        abort: shutdown.abort,
        stats,
        log,
        ...(checkpoint === undefined ? {} : { checkpoint }),
      });
    } finally {
      clearInterval(sessionTimer);
      stopProgress();
    }
    if (added.count > 0) {
      log(`${added.count} barcode(s) were not in the catalogue (collect never saw them) and got a row: ${added.sample.join(', ')}${added.count > added.sample.length ? ', ...' : ''}`);
    }

    try {
      if (syncedPending > 0) checkpoint?.('flush', '');
      writer.close();
    } catch (error) {
      throw new SyncError('catalogue_write_failed', `cannot save the catalogue: ${(error as Error).message}`, {
        hint: 'check free disk space and that books.db is writable; rerun to resume (storage is the truth, nothing is downloaded twice)',
        retryable: false,
        cause: error ?? writerError,
      });
    }
    const status = result.stopReason === 'completed' ? 'completed' : result.stopReason === 'interrupted' || result.stopReason === 'aborted' ? 'interrupted' : 'failed';
    cat.updateSession(sessionId, { counts: stats.counts(), bytes: stats.bytesDownloaded, runtimeSeconds: (performance.now() - started) / 1000 });
    cat.endSession(sessionId, status, result.fatalError ?? result.lastFailure?.error ?? null);
    sessionOpen = false;
    await writeProcessSummary(join(runDir, 'process_summary.json'), cat.processSummary(o.runName));

    const elapsed = (performance.now() - started) / 1000;
    const finishMessage = stopMessage(result, o.maxConsecutiveFailures);
    reporter.finish({ status: status === 'completed' && stats.failed === 0 ? 'completed' : status === 'interrupted' ? 'interrupted' : 'failed', ...(finishMessage === undefined ? {} : { message: finishMessage }) });
    deps.stdout.write(formatSummary(o.runName, result, { catalogue: join(runDir, 'books.db'), storage: describeStorage(s.storage, o.runName) }, elapsed));
    return exitCode(result, shutdown);
  } catch (error) {
    reporter?.finish({ status: 'failed', message: (error as Error).message });
    throw error;
  } finally {
    await cleanup();
  }
}

function stopMessage(result: SyncRunResult, limit: number): string | undefined {
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

/** The exit code of a finished run; stops that have their own error are thrown. */
function exitCode(result: SyncRunResult, shutdown: Shutdown): number {
  switch (result.stopReason) {
    case 'fatal':
      throw result.fatalError as Error;
    case 'source_failed':
      throw result.sourceError;
    case 'too_many_failures': {
      const last = result.lastFailure;
      const lastHint = (last?.error as { hint?: unknown } | undefined)?.hint;
      const hint = typeof lastHint === 'string' ? lastHint : 'see the failures above';
      throw new SyncError('too_many_failures', `stopped after ${result.stats.consecutiveFailures} volumes failed in a row${last === undefined ? '' : `; the last one, ${last.barcode}, failed at ${last.step}: ${last.error.message}`}`, {
        hint,
        retryable: false,
      });
    }
    case 'interrupted':
    case 'aborted':
      return shutdown.exitCode() ?? ExitCode.interrupted;
    case 'completed':
      return result.stats.failed > 0 ? ExitCode.failures : ExitCode.ok;
  }
}

function sessionArgs(o: SyncCliOptions, s: RunSettings): Record<string, unknown> {
  return {
    selection: o.selection.kind === 'queue' ? { queue: o.selection.queue } : o.selection.kind === 'file' ? { barcodes_file: o.selection.path } : { barcodes: 'given' },
    limit: o.limit ?? null,
    force: o.force,
    storage: s.storage.kind,
    download_concurrency: s.downloadConcurrency,
    workers: s.workers,
    max_consecutive_failures: o.maxConsecutiveFailures,
  };
}
