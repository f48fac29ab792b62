import { join } from 'node:path';
import { resolveCredentialsDir, validateLibraryDirectory } from '@grin/client';
import { resolveUserPath } from '@grin/run';
import type { RunConfig } from '../config/run-config.js';
import { resolveStorageSettings, storageRecord, type StorageSettings } from '../config/storage-settings.js';
import { SyncError } from '../stages/sync-errors.js';
import type { SyncCliOptions } from './parse-args.js';
import type { Simulation } from './simulation.js';

/** Everything a run needs, merged from flags, run_config.json and --simulate. */
export interface RunSettings {
  libraryDirectory: string;
  /** Undefined = GRIN's real address. */
  grinUrl: string | undefined;
  credentialsDir: string;
  passphraseFile: string;
  storage: StorageSettings;
  requestsPerSecond: number;
  downloadConcurrency: number;
  workers: number;
}

/** Flags win, then the recorded run settings, then defaults (or the simulation's values). */
export function resolveRunSettings(
  o: SyncCliOptions,
  recorded: RunConfig | null,
  runDir: string,
  env: Record<string, string | undefined>,
  simulation: Simulation | null,
): RunSettings {
  const library = simulation?.libraryDirectory ?? o.libraryDirectory ?? recorded?.library_directory;
  if (library === undefined) {
    throw new SyncError('config_missing', 'no GRIN library directory for this run', {
      hint: 'Give --library-directory DIR (e.g. Harvard) once; it is recorded in output/RUN/run_config.json. Or try --simulate.',
      retryable: false,
    });
  }
  // Collect records its GRIN address and credentials too; a simulated collect's address is stale.
  const collected = recorded?.collect?.simulate == null ? recorded?.collect : undefined;
  const credentialsDir =
    simulation?.credentialsDir ??
    (o.credentialsDir !== undefined
      ? resolveUserPath(o.credentialsDir, env)
      : (recorded?.credentials_dir ?? collected?.credentials_dir ?? resolveCredentialsDir(undefined, env)));
  const passphraseFile =
    simulation?.passphraseFile ??
    (o.passphraseFile !== undefined ? resolveUserPath(o.passphraseFile, env) : (recorded?.passphrase_file ?? join(credentialsDir, 'gpg_passphrase.asc')));
  const downloadConcurrency = o.downloadConcurrency;
  return {
    libraryDirectory: validateLibraryDirectory(library),
    grinUrl: simulation?.grinUrl ?? o.grinUrl ?? recorded?.grin_base_url ?? collected?.grin_url,
    credentialsDir,
    passphraseFile,
    storage: resolveStorageSettings(o.storage, recorded?.storage_config, env, simulation !== null ? join(runDir, 'storage') : undefined),
    requestsPerSecond: o.requestsPerSecond ?? (simulation !== null ? 200 : 5),
    downloadConcurrency,
    workers: o.workers ?? downloadConcurrency + 2,
  };
}

/**
 * What run_config.json records: the library directory and the storage always, paths only when
 * they were given on the command line; nothing of a simulation's throw-away address or
 * credentials; never a secret.
 */
export function recordedSettings(o: SyncCliOptions, s: RunSettings, runName: string, simulated: boolean): RunConfig {
  const update: RunConfig = { run_name: runName, storage_config: storageRecord(s.storage) };
  if (!simulated) {
    update.library_directory = s.libraryDirectory;
    if (o.grinUrl !== undefined) update.grin_base_url = o.grinUrl;
    if (o.credentialsDir !== undefined) update.credentials_dir = s.credentialsDir;
    if (o.passphraseFile !== undefined) update.passphrase_file = s.passphraseFile;
  }
  return update;
}
