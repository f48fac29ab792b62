import { constants, rmSync } from 'node:fs';
import { copyFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Catalogue } from './catalogue.js';
import { CatalogueUnreadableError } from './errors.js';
import { openCatalogueAt, type OpenCatalogueOptions } from './open-catalogue.js';
import type { ProcessAliveCheck } from './process-alive.js';
import { createProcessTempDir, sweepDeadProcessTempDirs } from './process-temp-dir.js';

export interface CatalogueSnapshotOptions {
  /** Where the private copy is made (`grin-catalogue-<pid>-<random>/`), default os.tmpdir(). */
  tmpDir?: string | undefined;
  now?: OpenCatalogueOptions['now'];
  cacheSizeKiB?: OpenCatalogueOptions['cacheSizeKiB'];
  /** Liveness probe for the sweep of copies left by killed processes (default: signal 0). */
  isProcessAlive?: ProcessAliveCheck | undefined;
}

const PREFIX = 'grin-catalogue-';
const COPY_ATTEMPTS = 3;

/**
 * Opens a private point-in-time copy of the catalogue at `path`, read-only, for commands that must
 * not change the run directory (dry-run). The copy lives in a temp directory that `close()`
 * removes (copies left by killed processes are removed by the next call).
 *
 * How the copy is taken, and what that leaves in the run directory:
 * - no `books.db-shm` (no connection has it open: the usual case): the files are copied as they
 *   are (`books.db`, and `books.db-wal` if one is there), then re-checked; if a writer started
 *   meanwhile the copy is taken again. Nothing in the run directory is created or changed.
 * - `-shm` and `-wal` present (a writer is running, or one was killed): SQLite's backup API copies
 *   a consistent snapshot in one step through a read-only connection. No file is created; SQLite
 *   updates only its shared-memory index (`-shm`), as every reader does.
 * Cost: one copy of the database (disk space and time of `cp`; a reflink where the filesystem
 * supports it). `catalogue.path` is the copy's path.
 */
export async function openCatalogueSnapshot(path: string, options: CatalogueSnapshotOptions = {}): Promise<Catalogue> {
  const source = resolve(path);
  const parent = options.tmpDir ?? tmpdir();
  await sweepDeadProcessTempDirs(parent, PREFIX, options.isProcessAlive);
  const dir = await createProcessTempDir(parent, PREFIX);
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    const copy = join(dir, 'books.db');
    await takeCopy(source, copy);
    return openCatalogueAt(
      copy,
      {
        readonly: true,
        ...(options.now === undefined ? {} : { now: options.now }),
        ...(options.cacheSizeKiB === undefined ? {} : { cacheSizeKiB: options.cacheSizeKiB }),
      },
      removeDir,
    );
  } catch (err) {
    removeDir();
    throw err;
  }
}

async function takeCopy(source: string, copy: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const before = await fileStates(source);
    if (before.db === null) {
      throw new CatalogueUnreadableError(`catalogue ${source} does not exist`, source, {
        hint: 'Check the run name / path; run `pnpm run collect` first to create the catalogue.',
      });
    }
    if (before.shm !== null && before.wal !== null) return backupInOneStep(source, copy);
    await copyFile(source, copy, constants.COPYFILE_FICLONE);
    if (before.wal !== null) await copyFile(`${source}-wal`, `${copy}-wal`, constants.COPYFILE_FICLONE);
    // A writer that opened the file meanwhile created the -shm, or (if it closed again) changed
    // the database when it checkpointed: then the copy may be torn, so it is taken again.
    if (sameStates(before, await fileStates(source))) return;
    rmSync(`${copy}-wal`, { force: true });
    if (attempt >= COPY_ATTEMPTS) {
      throw new CatalogueUnreadableError(`catalogue ${source} kept changing while it was copied`, source, {
        hint: 'Another process is writing the catalogue; retry when it has finished.',
      });
    }
  }
}

async function backupInOneStep(source: string, copy: string): Promise<void> {
  const db = new BetterSqlite3(source, { readonly: true, fileMustExist: true });
  try {
    // All pages in one step: one read transaction, so a writer cannot make the backup restart.
    await db.backup(copy, { progress: () => 0x7fffffff });
  } finally {
    db.close();
  }
}

interface FileState {
  ino: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
}

interface FileStates {
  db: FileState | null;
  wal: FileState | null;
  shm: FileState | null;
}

async function fileStates(source: string): Promise<FileStates> {
  const one = (p: string): Promise<FileState | null> =>
    stat(p).then(
      (s) => ({ ino: s.ino, size: s.size, mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs }),
      (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return null;
        throw new CatalogueUnreadableError(`cannot read ${p}: ${err.message}`, source, { cause: err });
      },
    );
  const [db, wal, shm] = await Promise.all([one(source), one(`${source}-wal`), one(`${source}-shm`)]);
  return { db, wal, shm };
}

function sameStates(a: FileStates, b: FileStates): boolean {
  const same = (x: FileState | null, y: FileState | null): boolean =>
    x === null || y === null ? x === y : x.ino === y.ino && x.size === y.size && x.mtimeMs === y.mtimeMs && x.ctimeMs === y.ctimeMs;
  return same(a.db, b.db) && same(a.wal, b.wal) && same(a.shm, b.shm);
}
