import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { acquireRunLock, openCatalogue, type Catalogue, type RunLock } from '@grin/books';
import type { GrinClient } from '@grin/client';
import type { ProgressReporter } from '@grin/progress';
import type { Shutdown } from '@grin/run';
import { readRunConfig, writeRunConfig, type RunConfig } from '../config/run-config.js';
import { createStorage, describeStorage } from '../config/storage-settings.js';
import type { ConversionRequester } from '../convert/index.js';
import { createDecryptor, type Decryptor } from '../decrypt/index.js';
import { ExtractionConsumer } from '../stages/extraction-consumer.js';
import type { Checkpoint } from '../stages/sync-context.js';
import { SyncError } from '../stages/sync-errors.js';
import { LocalStorage, type ArchiveStorage } from '../storage/index.js';
import { preflightBackup } from '../teardown/index.js';
import { setUpConversions } from './conversion-setup.js';
import type { SyncCliOptions } from './parse-args.js';
import { runOutcome, sessionStatus, type RunOutcome } from './run-outcome.js';
import { recordedSettings, type RunSettings } from './run-settings.js';
import { runQueues, type QueueRun, type SkippedQueue } from './run-queues.js';
import type { PreparedSelection } from './selection.js';
import { SessionTally } from './session-tally.js';
import { catalogueWriter } from './catalogue-writer.js';
import { prepareStaging } from './staging.js';
import { formatSummary } from './summary.js';
import type { SyncCliDeps } from './sync-cli-deps.js';
import { finishWithTeardown } from './teardown-step.js';

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
 * A real run: lock, record the run settings, open the catalogue, back it up, open a session, build
 * storage, the decryptor and the extraction stage, check GRIN access, read GRIN's conversion lists
 * when a catalogue queue is selected, run the queues one after the other, then flush, close the
 * session, run the teardown (CSV export, database backup, process_summary.json — also after a
 * first Ctrl-C and after the consecutive-failure stop) and print the summary. Returns the exit
 * code; errors that end the run are thrown (the CLI maps them).
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
  let reporter: ProgressReporter | undefined;
  const log = (line: string): void => {
    if (reporter !== undefined) reporter.log(line);
    else deps.stderr.write(`${line}\n`);
  };
  try {
    lock = acquireRunLock(runDir);
    cleanups.push(() => lock?.release());
    input.setLogger(log);

    // Everything that can be wrong with the configuration fails here, before anything is written.
    const decryptor: Decryptor = await createDecryptor({ passphraseFile: s.passphraseFile, allowLegacyWithoutIntegrity: o.allowLegacyWithoutIntegrity });
    cleanups.push(() => decryptor.close());
    if (decryptor.passphraseFileGroupOrWorldReadable) log(`warning: ${s.passphraseFile} is readable by other users; chmod 600 it`);
    const storage: ArchiveStorage = createStorage(s.storage, o.runName, o.storage, deps.env, (w) => log(`storage: ${w.message}`));
    cleanups.push(() => storage.close());
    await client.probe(shutdown.drain);
    await storage.probe(shutdown.drain); // bad storage settings: exit 3 now, not after every volume failed

    // Re-read under the lock: another run may have written it meanwhile.
    await writeRunConfig(runDir, (await readRunConfig(runDir)) ?? input.recorded, recordedSettings(o, s, o.runName, input.simulated));
    const cat: Catalogue = openCatalogue(join(runDir, 'books.db'));
    cleanups.push(() => cat.close());
    if (storage instanceof LocalStorage) {
      const removed = await storage.sweepStaleTemps();
      if (removed.length > 0) log(`removed ${removed.length} temp file(s) left by an interrupted run`);
    }
    const extracting = o.extractMarc || o.extractOcr;
    const stagingDir = extracting ? await prepareStaging(runDir, log) : null;
    if (!o.skipDatabaseBackup) {
      try {
        const backup = await preflightBackup({ catalogue: cat, runDir, signal: shutdown.drain });
        log(`catalogue backed up to ${backup.path}`);
      } catch (error) {
        log(`warning: ${(error as Error).message} (going on without a start-of-run backup)`);
      }
    }

    const sessionId = cat.startSession({ stage: 'sync', args: sessionArgs(o, s) });
    let sessionOpen = true;
    cleanups.push(() => {
      // Only when the run ended by an error before the teardown: the session must not stay "running".
      if (sessionOpen) cat.endSession(sessionId, 'failed', 'the run stopped with an error');
    });
    checkpoint?.('startup', '');
    const { writer, events, pendingFlush } = catalogueWriter(cat, sessionId, checkpoint, log);

    let requester: ConversionRequester | null = null;
    let conversionError: Error | null = null;
    if (selection.requestsConversions) {
      const setup = await setUpConversions({
        client,
        catalogue: cat,
        events: writer,
        force: o.force,
        queueLimit: o.conversionQueueLimit,
        drain: shutdown.drain,
        abort: shutdown.abort,
        log,
      });
      if (setup.ok) requester = setup.requester;
      else conversionError = setup.error;
    }
    const extraction =
      stagingDir === null
        ? null
        : new ExtractionConsumer({
            settings: { marc: o.extractMarc, ocr: o.extractOcr, compressOcr: o.compressFull, tempDir: stagingDir, verifyGzipCrc: o.allowLegacyWithoutIntegrity },
            storage,
            events: writer,
            storedOcrLocation: (b) => cat.storedOcrLocation(b),
            onWarning: (message) => log(`warning: ${message}`),
          });

    const tally = new SessionTally(requester, extraction?.counts ?? null);
    const saveSession = (): void => {
      cat.updateSession(sessionId, { counts: tally.counts(), bytes: tally.bytes(), runtimeSeconds: (performance.now() - started) / 1000 });
    };
    const sessionTimer = setInterval(() => {
      try {
        saveSession();
      } catch {
        // a busy/full disk shows up in the writer's own errors
      }
    }, 5_000);
    sessionTimer.unref();

    const added = { count: 0, sample: [] as string[] };
    let runs: QueueRun[];
    let skipped: SkippedQueue[];
    try {
      ({ runs, skipped } = await runQueues({
        parts: selection.parts,
        o,
        deps,
        client,
        catalogue: cat,
        shutdown,
        requester,
        extraction: extraction?.counts ?? null,
        tally,
        pipeline: {
          client,
          storage,
          decryptor,
          events,
          recordedEtag: (b) => cat.syncedEtag(b),
          force: o.force,
          skipSynced: o.skipSynced,
          downloadConcurrency: s.downloadConcurrency,
          workers: s.workers,
          maxConsecutiveFailures: o.maxConsecutiveFailures,
          retry: {
            ...(deps.tuning?.retryBaseDelayMs === undefined ? {} : { baseDelayMs: deps.tuning.retryBaseDelayMs }),
            ...(deps.tuning?.sleep === undefined ? {} : { sleep: deps.tuning.sleep }),
          },
          consumers: [...(extraction === null ? [] : [extraction]), ...(deps.consumers ?? [])],
          log,
          ...(checkpoint === undefined ? {} : { checkpoint }),
        },
        log,
        added,
        onReporter: (r) => (reporter = r),
      }));
    } finally {
      clearInterval(sessionTimer);
    }
    for (const skip of skipped) log(`queue ${skip.part.name} not run: ${skipReason(skip.reason)}`);
    if (added.count > 0) {
      log(`${added.count} barcode(s) were not in the catalogue (collect never saw them) and got a row: ${added.sample.join(', ')}${added.count > added.sample.length ? ', ...' : ''}`);
    }

    try {
      pendingFlush();
      writer.close();
    } catch (error) {
      throw new SyncError('catalogue_write_failed', `cannot save the catalogue: ${(error as Error).message}`, {
        hint: 'check free disk space and that books.db is writable; rerun to resume (storage is the truth, nothing is downloaded twice)',
        retryable: false,
        cause: error,
      });
    }
    const status = sessionStatus(runs, skipped, conversionError);
    const lastRun = runs.at(-1)?.result;
    saveSession();
    cat.endSession(sessionId, status, lastRun?.fatalError ?? lastRun?.lastFailure?.error ?? conversionError ?? null);
    sessionOpen = false;

    const outcome: RunOutcome = runOutcome(runs, conversionError, shutdown, o.maxConsecutiveFailures);
    const elapsed = (performance.now() - started) / 1000;
    const teardown = await finishWithTeardown({
      catalogue: cat,
      storage,
      runName: o.runName,
      runDir,
      o,
      shutdown,
      log,
    });
    deps.stdout.write(
      formatSummary({
        runName: o.runName,
        runs,
        skipped,
        requester,
        extraction: extraction?.counts ?? null,
        teardown: teardown.report,
        where: { catalogue: join(runDir, 'books.db'), storage: describeStorage(s.storage, o.runName), runDir },
        elapsedSeconds: elapsed,
      }),
    );
    return teardown.combine(outcome);
  } catch (error) {
    reporter?.finish({ status: 'failed', message: (error as Error).message });
    throw error;
  } finally {
    await cleanup();
  }
}

function skipReason(reason: SkippedQueue['reason']): string {
  switch (reason) {
    case 'interrupted':
      return 'interrupted (Ctrl-C)';
    case 'stopped':
      return 'the queue before it stopped the run';
    case 'conversion_state_unavailable':
      return "GRIN's _in_process list could not be read";
  }
}

function sessionArgs(o: SyncCliOptions, s: RunSettings): Record<string, unknown> {
  return {
    selection: o.selection.kind === 'queues' ? { queues: o.selection.queues } : o.selection.kind === 'file' ? { barcodes_file: o.selection.path } : { barcodes: 'given' },
    limit: o.limit ?? null,
    force: o.force,
    skip_synced: o.skipSynced,
    storage: s.storage.kind,
    download_concurrency: s.downloadConcurrency,
    workers: s.workers,
    max_consecutive_failures: o.maxConsecutiveFailures,
    extract_marc: o.extractMarc,
    extract_ocr: o.extractOcr,
    compress_full: o.compressFull,
    skip_csv_export: o.skipCsvExport,
    skip_database_backup: o.skipDatabaseBackup,
    skip_compression_meta: o.skipCompressionMeta,
    conversion_queue_limit: o.conversionQueueLimit,
  };
}
