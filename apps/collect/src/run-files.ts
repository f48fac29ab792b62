import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeProcessSummary, type Catalogue } from '@grin/books';
import { writeJsonAtomic } from '@grin/run';
import type { CollectParameters } from './job-metadata.js';
import { PROGRESS_FILE } from './progress-file.js';

export const BOOKS_DB = 'books.db';
export const RUN_CONFIG = 'run_config.json';
export const CSV_EXPORT = 'books_export.csv';
export const PROCESS_SUMMARY = 'process_summary.json';

/** Paths of one run directory. */
export interface RunFiles {
  directory: string;
  database: string;
  runConfig: string;
  progress: string;
  csv: string;
  summary: string;
}

export function runFiles(directory: string): RunFiles {
  return {
    directory,
    database: join(directory, BOOKS_DB),
    runConfig: join(directory, RUN_CONFIG),
    progress: join(directory, PROGRESS_FILE),
    csv: join(directory, CSV_EXPORT),
    summary: join(directory, PROCESS_SUMMARY),
  };
}

/**
 * Writes run_config.json (reference 9.2): the run's identity plus a `collect` section with the
 * parameters (never secrets: the credentials directory is a path, its files are not copied).
 * Keys written by other commands (sync's storage settings) are kept.
 */
export async function writeRunConfig(
  files: RunFiles,
  runName: string,
  parameters: CollectParameters,
  configHash: string,
  now: Date,
): Promise<void> {
  let existing: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(await readFile(files.runConfig, 'utf8')) as unknown;
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) existing = parsed as Record<string, unknown>;
  } catch {
    // Missing or unreadable: written afresh.
  }
  await writeJsonAtomic(files.runConfig, {
    ...existing,
    run_name: runName,
    library_directory: parameters.library_directory,
    output_directory: files.directory,
    sqlite_db_path: files.database,
    progress_file: files.progress,
    collect: { ...parameters, config_hash: configHash, written_at: now.toISOString() },
  });
}

/** The run's closing files: books_export.csv (RFC 4180) and process_summary.json. */
export async function writeRunRecords(
  catalogue: Catalogue,
  files: RunFiles,
  runName: string,
  options: { exportCsv: boolean; signal?: AbortSignal },
): Promise<{ csvRows: number | null }> {
  const csvRows = options.exportCsv
    ? await catalogue.exportCsv(files.csv, options.signal === undefined ? {} : { signal: options.signal })
    : null;
  await writeProcessSummary(files.summary, catalogue.processSummary(runName));
  return { csvRows };
}
