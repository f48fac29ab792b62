import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { Catalogue } from './catalogue.js';
import {
  BooksError,
  CatalogueAlreadyOpenError,
  CatalogueUnreadableError,
  CatalogueVersionError,
} from './errors.js';
import { CATALOGUE_SCHEMA_VERSION, assertNotNewer, migrateCatalogue, schemaVersion } from './migrations.js';
import { isProcessAlive, type ProcessAliveCheck } from './process-alive.js';
import { systemClock, type Clock } from './timestamp.js';

export interface OpenCatalogueOptions {
  /**
   * Open without writing to the database (no migrations, no journal-mode change, no session
   * bookkeeping). The file must exist. Limit (SQLite, measured with 3.53): when no other connection
   * has the WAL catalogue open, there is no `-wal`/`-shm` beside it, and a read-only connection
   * still creates both (32 KiB `-shm`, empty `-wal`) and leaves them after close; when a writer has
   * it open, nothing is created but the `-shm` index is updated as by every reader. To leave the
   * run directory exactly as it is (dry-run), use `openCatalogueSnapshot`.
   */
  readonly?: boolean | undefined;
  /** Clock for every stored timestamp (default: system time). */
  now?: Clock | undefined;
  /** Page cache size in KiB (default 65,536 = 64 MiB). */
  cacheSizeKiB?: number | undefined;
  /** How long to wait for another connection's lock (default 5000 ms). */
  busyTimeoutMs?: number | undefined;
  /** Liveness probe for sessions left running by killed processes (default: signal 0). */
  isProcessAlive?: ProcessAliveCheck | undefined;
  /** This machine's name as recorded in sessions (default `os.hostname()`). */
  host?: string | undefined;
}

/** Resolved paths of catalogues open for writing in this process. */
const openWriters = new Set<string>();

/**
 * Opens (creating if needed) the catalogue at `path`: WAL, synchronous=NORMAL, busy_timeout,
 * foreign keys on, temp_store=MEMORY, a 64 MiB page cache; migrates the schema to
 * `CATALOGUE_SCHEMA_VERSION`, and marks sessions of dead processes on this host interrupted.
 * Throws `CatalogueUnreadableError` (missing for read-only, not SQLite, corrupt, unreadable, another
 * tool's database), `CatalogueVersionError` (newer schema, or an older one opened read-only) or
 * `CatalogueAlreadyOpenError` (a second writer for the same file in this process).
 */
export function openCatalogue(path: string, options: OpenCatalogueOptions = {}): Catalogue {
  return openCatalogueAt(path, options, () => {});
}

/** @internal `openCatalogue` with a hook run after `close()`. */
export function openCatalogueAt(path: string, options: OpenCatalogueOptions, afterClose: () => void): Catalogue {
  const readonly = options.readonly ?? false;
  const absolute = resolve(path);
  if (readonly && !existsSync(absolute)) {
    throw new CatalogueUnreadableError(`catalogue ${absolute} does not exist`, absolute, {
      hint: 'Check the run name / path; run `pnpm run collect` first to create the catalogue.',
    });
  }
  if (!readonly) mkdirSync(dirname(absolute), { recursive: true });
  const key = readonly ? undefined : writerKey(absolute);
  if (key !== undefined && openWriters.has(key)) {
    throw new CatalogueAlreadyOpenError(`catalogue ${absolute} is already open for writing in this process`);
  }

  let db: Database | undefined;
  try {
    db = new BetterSqlite3(absolute, { readonly, fileMustExist: readonly });
    const version = configure(db, absolute, readonly, options);
    const now = options.now ?? systemClock;
    if (key !== undefined) openWriters.add(key);
    const catalogue = new Catalogue(db, absolute, readonly, version, now, () => {
      if (key !== undefined) openWriters.delete(key);
      afterClose();
    });
    if (!readonly) catalogue.interruptDeadSessions(options.host ?? hostname(), options.isProcessAlive ?? isProcessAlive);
    return catalogue;
  } catch (err) {
    if (key !== undefined) openWriters.delete(key);
    try {
      db?.close();
    } catch {
      // the original error matters, not a failing close
    }
    throw translateOpenError(err, absolute);
  }
}

/** Applies pragmas and migrations; returns the schema version. */
function configure(db: Database, path: string, readonly: boolean, options: OpenCatalogueOptions): number {
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
  // First statement that reads the file: a non-database fails here with SQLITE_NOTADB.
  db.prepare('SELECT count(*) FROM sqlite_schema').get();
  if (!readonly) {
    const mode = db.pragma('journal_mode = WAL', { simple: true }) as string;
    if (mode !== 'wal') {
      throw new CatalogueUnreadableError(`could not switch ${path} to WAL mode (got ${mode})`, path, {
        hint: 'WAL needs a local filesystem with shared-memory support; keep the run directory on a local disk, not a network share.',
      });
    }
    db.pragma('synchronous = NORMAL');
  }
  db.pragma('foreign_keys = ON');
  db.pragma('temp_store = MEMORY');
  db.pragma(`cache_size = -${Math.max(1024, Math.floor(options.cacheSizeKiB ?? 65_536))}`);
  if (!readonly) return migrateCatalogue(db, path).to;

  const version = schemaVersion(db);
  assertNotNewer(version, CATALOGUE_SCHEMA_VERSION, path);
  if (version === 0) {
    throw new CatalogueUnreadableError(`${path} is not a grin catalogue (schema version 0)`, path);
  }
  if (version < CATALOGUE_SCHEMA_VERSION) {
    throw new CatalogueVersionError(
      `${path} has schema version ${version}; this tool needs ${CATALOGUE_SCHEMA_VERSION} and cannot upgrade a read-only database`,
      { path, fileVersion: version, codeVersion: CATALOGUE_SCHEMA_VERSION },
      { hint: 'Run a writing command (collect or sync) on this run once to upgrade it, then retry.' },
    );
  }
  return version;
}

function writerKey(absolute: string): string {
  try {
    return realpathSync(absolute);
  } catch {
    return absolute;
  }
}

const UNREADABLE_HINTS: [RegExp, string][] = [
  [/^SQLITE_(NOTADB|CORRUPT)/, 'The file is not an SQLite database or is damaged. Restore books.db from output/RUN/backups/ (or a downloaded books_latest.db.gz), or start a new run name.'],
  [/^SQLITE_(CANTOPEN|PERM|READONLY|AUTH)/, 'Check that the file and its directory exist and are readable and writable by this user (the -wal and -shm files next to it too).'],
  [/^SQLITE_(BUSY|LOCKED)/, 'Another process holds a lock on the database; wait for it to finish and retry.'],
  [/^SQLITE_(IOERR|FULL)/, 'The disk reported an error or is full; free space / check the disk and retry.'],
];

function translateOpenError(err: unknown, path: string): unknown {
  if (err instanceof BooksError) return err;
  const code = (err as { code?: unknown }).code;
  if (err instanceof Error && (err.name === 'SqliteError' || typeof code === 'string')) {
    const codeText = typeof code === 'string' ? code : '';
    const hint = UNREADABLE_HINTS.find(([re]) => re.test(codeText))?.[1];
    return new CatalogueUnreadableError(`cannot open catalogue ${path}: ${err.message}`, path, {
      cause: err,
      ...(hint ? { hint } : {}),
    });
  }
  return err;
}
