import { acquireRunLock, openCatalogue, type Catalogue, type RunLock } from '@grin/books';
import { formatCount, formatDuration, pluralize, selectMode, type ProgressStream } from '@grin/progress';
import { createShutdown, ExitCode, runDirectory, userWorkingDirectory, type SignalSource } from '@grin/run';
import { USAGE, type CollectOptions } from './cli-options.js';
import { runCollectSession, type CollectSessionOutcome } from './collect-session.js';
import { LibraryMismatchError } from './errors.js';
import { connectGrin, describeClientEvent, type ClientOverrides, type GrinConnection } from './grin-connection.js';
import { collectParameters, configHash, currentJobMetadata } from './job-metadata.js';
import { MemoryPacer } from './memory-pacer.js';
import { MessageSink } from './message-sink.js';
import { resumeCommand } from './resume-command.js';
import { runFiles, writeRunConfig, writeRunRecords, type RunFiles } from './run-files.js';
import { planWalk } from './walk-plan.js';

/** Everything the command takes from its surroundings; tests inject all of it. */
export interface CollectDeps {
  env?: Record<string, string | undefined>;
  stdout?: NodeJS.WritableStream;
  stderr?: ProgressStream;
  /** Where SIGINT/SIGTERM come from (default process). */
  signals?: SignalSource;
  /** Ends the process on a second Ctrl-C (default process.exit). */
  exit?: (code: number) => void;
  now?: () => Date;
  client?: ClientOverrides;
  progressIntervalMs?: number;
}

const LIBRARY_KEY = 'collect.library';
/**
 * SQLite page cache of the collector's connection. Inserting 10^6 random barcodes measured about
 * as fast with 16 MiB as with the catalogue's default 64 MiB (the OS file cache serves the index
 * pages), and the difference counts against the 300 MB RSS budget.
 */
const CATALOGUE_CACHE_KIB = 16 * 1024;

/**
 * `pnpm run collect`: connect and check credentials, lock and open the run, walk the listing
 * (resuming where the last session stopped), then write books_export.csv and
 * process_summary.json. Resolves to the exit code; expected failures are thrown (after the run
 * records were written) for the CLI's single error-to-exit-code map.
 */
export async function runCollect(options: CollectOptions, deps: CollectDeps = {}): Promise<number> {
  const env = deps.env ?? process.env;
  const stdout = deps.stdout ?? process.stdout;
  const stderr = deps.stderr ?? process.stderr;
  const now = deps.now ?? (() => new Date());
  if (options.help) {
    stdout.write(USAGE);
    return ExitCode.ok;
  }
  const shutdown = createShutdown({
    stderr,
    inFlightDescription: 'the page in hand',
    ...(deps.signals ? { source: deps.signals } : {}),
    ...(deps.exit ? { exit: deps.exit } : {}),
  });
  const json = selectMode(options.progress, env, stderr) === 'json';
  const messages = new MessageSink(stderr, json, now);
  let connection: GrinConnection | null = null;
  let lock: RunLock | null = null;
  let catalogue: Catalogue | null = null;
  try {
    if (options.simulate !== null) messages.say(`Starting a simulated GRIN library of ${formatCount(options.simulate)} books (--simulate).`);
    connection = await connectGrin(options, env, shutdown.drain, (event) => {
      const line = describeClientEvent(event);
      if (line !== null) messages.say(line);
    }, deps.client);
    const files = runFiles(runDirectory(options.runName, { outputRoot: options.outputDir, env }));
    lock = acquireRunLock(files.directory);
    catalogue = openCatalogue(files.database, { cacheSizeKiB: CATALOGUE_CACHE_KIB });
    checkLibrary(catalogue, options.runName, connection.libraryDirectory);
    catalogue.setMetadata(LIBRARY_KEY, { directory: connection.libraryDirectory, library_url: connection.libraryUrl });
    const parameters = collectParameters(options, connection.libraryDirectory, connection.baseUrl);
    const hash = configHash(parameters);
    await writeRunConfig(files, options.runName, parameters, hash, now());
    messages.say(`Run ${options.runName}: ${files.directory}`);

    const plan = planWalk(catalogue, {
      list: options.list,
      refresh: options.refresh,
      restart: options.restart,
      libraryDirectory: connection.libraryDirectory,
      libraryUrl: connection.libraryUrl,
    });
    if (plan.message !== null) messages.say(plan.message);
    if (plan.kind === 'complete') {
      const { csvRows } = await writeRunRecords(catalogue, files, options.runName, { exportCsv: true, signal: shutdown.abort });
      stdout.write(`Nothing to collect; re-exported ${formatCount(csvRows ?? 0)} books to ${files.csv}.\n`);
      return ExitCode.ok;
    }
    if (shutdown.drain.aborted) return interruptedBeforeStart(messages, shutdown.exitCode());

    const outcome = await runCollectSession({
      options,
      catalogue,
      client: connection.listing,
      files,
      plan,
      parameters,
      configHash: hash,
      job: currentJobMetadata(now(), userWorkingDirectory(env), env),
      drain: shutdown.drain,
      messages,
      stderr,
      env,
      now,
      ...(deps.progressIntervalMs === undefined ? {} : { progressIntervalMs: deps.progressIntervalMs }),
    });
    // The listing thread (its heap, its connections) is not needed for the closing files.
    const libraryDirectory = connection.libraryDirectory;
    await connection.close();
    connection = null;
    MemoryPacer.collectNow();
    const storedAnything = (outcome.result?.rowsStored ?? 0) > 0 || outcome.lastPage !== null;
    const { csvRows } = await writeRunRecords(catalogue, files, options.runName, {
      exportCsv: outcome.state === 'completed' || storedAnything,
      signal: shutdown.abort,
    });
    const resume = resumeCommand(options, libraryDirectory, options.refresh);
    return report(outcome, { options, files, catalogue, csvRows, resume, stdout, messages, exitCode: shutdown.exitCode() });
  } catch (error) {
    if (shutdown.drain.aborted && isAbortError(error, shutdown.drain)) {
      return interruptedBeforeStart(messages, shutdown.exitCode());
    }
    throw error;
  } finally {
    shutdown.dispose();
    try {
      catalogue?.close();
    } finally {
      lock?.release();
      await connection?.close();
    }
  }
}

/** The error an operation aborted by the first Ctrl-C ends with. */
function isAbortError(error: unknown, signal: AbortSignal): boolean {
  return error === signal.reason || (error instanceof Error && error.name === 'AbortError');
}

/** Refuses to mix two libraries in one run directory. */
function checkLibrary(catalogue: Catalogue, runName: string, libraryDirectory: string): void {
  const stored = catalogue.getMetadata<{ directory: string }>(LIBRARY_KEY);
  if (stored && stored.directory !== libraryDirectory) throw new LibraryMismatchError(runName, stored.directory, libraryDirectory);
}

function interruptedBeforeStart(messages: MessageSink, code: number | null): number {
  messages.say('Interrupted before any page was collected; nothing was changed.');
  return code ?? ExitCode.interrupted;
}

interface ReportContext {
  options: CollectOptions;
  files: RunFiles;
  catalogue: Catalogue;
  csvRows: number | null;
  resume: string;
  stdout: NodeJS.WritableStream;
  messages: MessageSink;
  exitCode: number | null;
}

/** The final summary line and, when the walk is not complete, how to resume. */
function report(outcome: CollectSessionOutcome, ctx: ReportContext): number {
  const { options, files, catalogue } = ctx;
  const snapshot = outcome.tracker.snapshot();
  const c = snapshot.sessionCounts;
  const cursor = snapshot.cursor;
  const session =
    `this session: ${pluralize(c['pages'] ?? 0, 'page')}, ${pluralize(c['rowsSeen'] ?? 0, 'row')} ` +
    `(${formatCount(c['inserted'] ?? 0)} new, ${formatCount(c['updated'] ?? 0)} updated, ` +
    `${formatCount(c['unchanged'] ?? 0)} unchanged, ${formatCount(c['withoutBarcode'] ?? 0)} without barcode) ` +
    `in ${formatDuration(snapshot.sessionRuntimeSeconds)}`;
  const books = formatCount(catalogue.countBooks());
  const csv = ctx.csvRows === null ? '' : `; CSV: ${files.csv}`;
  const where = cursor ? `after page ${cursor.pageNumber}` : 'before the first page';
  switch (outcome.state) {
    case 'completed':
      ctx.stdout.write(
        `Collected ${options.list} completely (${formatCount(cursor?.rowsSeen ?? 0)} rows in this walk); ` +
          `${session}. Catalogue: ${books} books in ${files.database}${csv}.\n`,
      );
      return ExitCode.ok;
    case 'limit':
      ctx.stdout.write(`Stopped at --limit ${formatCount(options.limit ?? 0)}: ${session}. Catalogue: ${books} books${csv}.\n`);
      ctx.messages.say(
        `warning: the collection is INCOMPLETE (--limit is for trying things out). Continue it with:\n  ${ctx.resume}`,
      );
      return ExitCode.ok;
    case 'interrupted':
      ctx.stdout.write(`Interrupted ${where}; everything up to it is saved. ${session}. Catalogue: ${books} books${csv}.\n`);
      ctx.messages.say(`Resume with:\n  ${ctx.resume}`);
      return ctx.exitCode ?? ExitCode.interrupted;
    case 'failed':
      ctx.messages.say(
        `Collecting stopped by an error ${where}; the pages stored so far are kept (${books} books${csv}). ` +
          `After fixing the cause, resume with:\n  ${ctx.resume}`,
      );
      throw outcome.error ?? new Error('collect failed');
  }
}
