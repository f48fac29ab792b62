import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Catalogue } from '@grin/books';
import { formatRunTimestamp } from './run-timestamp.js';
import { RunRecordsError } from './teardown-errors.js';

/** Sub-directory of the run directory holding the preflight backups (reference 5.1 step 5). */
export const BACKUPS_DIR = 'backups';
/** Backups kept by default. */
export const BACKUPS_KEPT = 10;

const BACKUP_NAME = /^books_backup_\d{8}_\d{6}\.db(\.gz)?$/;

export interface PreflightBackupInput {
  catalogue: Pick<Catalogue, 'backupTo'>;
  /** `output/RUN`; the backup goes to `output/RUN/backups/books_backup_YYYYMMDD_HHMMSS.db` (UTC). */
  runDir: string;
  now?: () => Date;
  /** Backups kept after this one is written, newest by modification time (default 10). */
  keep?: number;
  /** Write `.db.gz` instead of a plain `.db` (default false: a plain file restores by copying). */
  gzip?: boolean;
  signal?: AbortSignal;
}

export interface PreflightBackupResult {
  path: string;
  bytes: number;
  /** Older backups removed by the pruning. */
  removed: string[];
}

/**
 * The start-of-run safety copy: a consistent snapshot of the catalogue (online backup API via
 * @grin/books, written atomically), then the backups directory pruned to the `keep` newest.
 * Throws `RunRecordsError('backup_failed')`; the reference tool only logs that and goes on.
 */
export async function preflightBackup(input: PreflightBackupInput): Promise<PreflightBackupResult> {
  const dir = join(input.runDir, BACKUPS_DIR);
  const name = `books_backup_${formatRunTimestamp((input.now ?? (() => new Date()))())}.db${input.gzip ? '.gz' : ''}`;
  try {
    await mkdir(dir, { recursive: true });
    const result = await input.catalogue.backupTo(join(dir, name), {
      gzip: input.gzip ?? false,
      ...(input.signal === undefined ? {} : { signal: input.signal }),
    });
    const removed = await pruneBackups(dir, input.keep ?? BACKUPS_KEPT);
    return { path: result.path, bytes: result.bytes, removed };
  } catch (error) {
    throw new RunRecordsError('backup_failed', `cannot back up the catalogue to ${dir}: ${(error as Error).message}`, {
      hint: 'check free disk space and that the run directory is writable (or use --skip-database-backup)',
      retryable: true,
      cause: error,
    });
  }
}

/**
 * Removes `books_backup_*.db[.gz]` files beyond the `keep` newest (by modification time, then
 * name) from `dir`; other files are never touched. Returns the removed paths.
 */
export async function pruneBackups(dir: string, keep: number): Promise<string[]> {
  const names = (await readdir(dir)).filter((n) => BACKUP_NAME.test(n));
  const entries = await Promise.all(names.map(async (n) => ({ path: join(dir, n), name: n, mtimeMs: (await stat(join(dir, n))).mtimeMs })));
  entries.sort((a, b) => b.mtimeMs - a.mtimeMs || (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
  const old = entries.slice(Math.max(0, keep));
  for (const e of old) await rm(e.path, { force: true });
  return old.map((e) => e.path);
}
