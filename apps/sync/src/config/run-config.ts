import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '@grin/run';
import { SyncError } from '../stages/sync-errors.js';

export const RUN_CONFIG_FILE = 'run_config.json';

/** `storage_config` of run_config.json (reference 9.2 layout; secrets are never written). */
export type StorageConfigRecord =
  | { type: 'local'; protocol: 'file'; config: { base_path: string } }
  | {
      type: 's3';
      protocol: 's3';
      config: { bucket_raw: string; bucket_full: string; bucket_meta: string; endpoint_url?: string; region: string; path_style: boolean };
    };

/**
 * `output/RUN/run_config.json`. Keys this app does not know (e.g. written by collect) are kept
 * as they are when the file is rewritten.
 */
export interface RunConfig {
  run_name?: string;
  library_directory?: string;
  grin_base_url?: string;
  credentials_dir?: string;
  passphrase_file?: string;
  storage_config?: StorageConfigRecord;
  /** Written by collect: its parameters (grin_url, credentials_dir, simulate, ...). */
  collect?: { grin_url?: string; credentials_dir?: string | null; simulate?: number | null };
  [key: string]: unknown;
}

/** Reads the run's settings; null when the file does not exist. */
export async function readRunConfig(runDir: string): Promise<RunConfig | null> {
  const path = join(runDir, RUN_CONFIG_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return null;
    throw new SyncError('config_missing', `cannot read ${path}: ${(err as Error).message}`, {
      hint: 'check the permissions of the run directory',
      retryable: false,
      cause: err,
    });
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as RunConfig;
  } catch (err) {
    throw new SyncError('config_missing', `${path} is not valid JSON: ${(err as Error).message}`, {
      hint: `fix or delete ${path} (then give --library-directory and the storage options again)`,
      retryable: false,
      cause: err,
    });
  }
}

/** Writes the run's settings atomically, merged over what the file already holds. */
export async function writeRunConfig(runDir: string, previous: RunConfig | null, update: RunConfig): Promise<RunConfig> {
  const merged: RunConfig = { ...(previous ?? {}) };
  for (const [key, value] of Object.entries(update)) if (value !== undefined) merged[key] = value;
  await writeJsonAtomic(join(runDir, RUN_CONFIG_FILE), merged);
  return merged;
}
