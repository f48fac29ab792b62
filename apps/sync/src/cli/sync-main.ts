import { join } from 'node:path';
import { createGrinClient, type ClientEvent, type GrinClient } from '@grin/client';
import { createShutdown, runDirectory } from '@grin/run';
import { readRunConfig } from '../config/run-config.js';
import { dryRun } from './dry-run.js';
import { HELP } from './help.js';
import { parseSyncArgs } from './parse-args.js';
import { runCommand } from './run-command.js';
import { resolveRunSettings } from './run-settings.js';
import { prepareSelection } from './selection.js';
import { startSimulation, type Simulation } from './simulation.js';
import type { SyncCliDeps } from './sync-cli-deps.js';
import { checkpointFromEnv } from './test-hooks.js';

/**
 * `pnpm run sync`: parse, validate everything that can be validated without I/O (barcodes, run
 * name, options), resolve the run settings, then dry-run or run. Returns the exit code; expected
 * errors are thrown for the CLI's error map.
 */
export async function syncMain(deps: SyncCliDeps): Promise<number> {
  const o = parseSyncArgs(deps.argv);
  if (o.help) {
    deps.stdout.write(HELP);
    return 0;
  }
  const checkpoint = checkpointFromEnv(deps.env);
  // Barcodes (list or file) are validated here, before any other I/O.
  const selection = await prepareSelection(o.selection, o.limit, deps);
  const runDir = runDirectory(o.runName, { env: deps.env });
  const recorded = await readRunConfig(runDir);
  const shutdown = createShutdown({
    ...(deps.signals === undefined ? {} : { source: deps.signals }),
    stderr: deps.stderr,
    ...(deps.exit === undefined ? {} : { exit: deps.exit }),
    // After a second Ctrl-C the in-flight volumes abort their pending objects; give that a moment.
    forceExitDelayMs: 15_000,
    inFlightDescription: 'the volumes in flight',
  });
  let simulation: Simulation | null = null;
  let client: GrinClient | null = null;
  let logEvent: (line: string) => void = (line) => deps.stderr.write(`${line}\n`);
  try {
    if (o.simulate) {
      simulation = await startSimulation({
        books: o.simulateBooks ?? 100,
        // Kept between runs so the simulator serves the same archives (same ETags) again.
        ...(o.dryRun ? {} : { cacheDir: join(runDir, 'simulator-cache') }),
      });
    }
    const s = resolveRunSettings(o, recorded, runDir, deps.env, simulation);
    const tuning = deps.tuning ?? {};
    client = createGrinClient({
      libraryDirectory: s.libraryDirectory,
      ...(s.grinUrl === undefined ? {} : { baseUrl: s.grinUrl }),
      credentialsDir: s.credentialsDir,
      // Room for checks and the listing beside the downloads (which our permits limit).
      concurrency: s.downloadConcurrency + 2,
      requestsPerSecond: s.requestsPerSecond,
      env: deps.env,
      ...(tuning.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: tuning.idleTimeoutMs }),
      ...(tuning.retryBaseDelayMs === undefined ? {} : { retry: { baseDelayMs: tuning.retryBaseDelayMs } }),
      ...(tuning.sleep === undefined ? {} : { sleep: tuning.sleep }),
      onEvent: (event) => {
        const line = describeClientEvent(event);
        if (line !== null) logEvent(line);
      },
    });
    if (o.dryRun) {
      deps.stdout.write(await dryRun(o, s, runDir, selection, client, shutdown.drain));
      return 0;
    }
    return await runCommand({
      o,
      s,
      runDir,
      recorded,
      selection,
      client,
      shutdown,
      deps,
      checkpoint,
      simulated: simulation !== null,
      setLogger: (log) => (logEvent = log),
    });
  } catch (error) {
    // Ctrl-C during start-up or while listing: not a failure.
    const interrupted = shutdown.exitCode();
    if (interrupted !== null && !isCoded(error)) return interrupted;
    throw error;
  } finally {
    await client?.close();
    await simulation?.close();
    shutdown.dispose();
  }
}

function isCoded(error: unknown): boolean {
  return error instanceof Error && typeof (error as { code?: unknown }).code === 'string' && typeof (error as { hint?: unknown }).hint === 'string';
}

function describeClientEvent(event: ClientEvent): string | null {
  switch (event.type) {
    case 'retry':
      return `GRIN: ${event.code}${event.status === undefined ? '' : ` (HTTP ${event.status})`}, retrying in ${Math.round(event.delayMs / 100) / 10} s: ${event.url}`;
    case 'credentials-write-failed':
      return `warning: could not save the refreshed GRIN token: ${event.message}`;
    default:
      return null;
  }
}
