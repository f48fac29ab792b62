import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BOOK_COLUMNS,
  CATALOGUE_SCHEMA_VERSION,
  CatalogueAlreadyOpenError,
  CatalogueUnreadableError,
  CatalogueVersionError,
  openCatalogue,
} from '../src/index.js';
import { migrateCatalogue, MIGRATIONS, type Migration } from '../src/migrations.js';
import { listingRow, makeTempDir } from './helpers.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = makeTempDir()));
afterEach(() => cleanup());

function rawUserVersion(path: string): number {
  const db = new BetterSqlite3(path, { readonly: true });
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } finally {
    db.close();
  }
}

describe('openCatalogue', () => {
  it('creates the schema in an empty file, sets user_version, and reopens idempotently', () => {
    const path = join(dir, 'run', 'books.db');
    const first = openCatalogue(path);
    expect(first.schemaVersion).toBe(CATALOGUE_SCHEMA_VERSION);
    first.storeListingPage({ list: 'l', pageNumber: 1, url: null, nextUrl: null, pageSize: 1, rows: [listingRow('B1')] });
    first.close();
    expect(rawUserVersion(path)).toBe(CATALOGUE_SCHEMA_VERSION);

    const second = openCatalogue(path);
    expect(second.schemaVersion).toBe(CATALOGUE_SCHEMA_VERSION);
    expect(second.countBooks()).toBe(1);
    second.close();
    expect(rawUserVersion(path)).toBe(CATALOGUE_SCHEMA_VERSION);
  });

  it('creates the tables, columns and indexes sync and collect need', () => {
    const path = join(dir, 'books.db');
    openCatalogue(path).close();
    const db = new BetterSqlite3(path, { readonly: true });
    try {
      const columns = (db.pragma('table_info(books)') as { name: string }[]).map((c) => c.name);
      expect(columns).toEqual(BOOK_COLUMNS.map((c) => c.name));
      expect(columns.slice(0, 54)).toContain('is_decrypted');
      const tables = db
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .pluck()
        .all();
      expect(tables).toEqual(['book_status_history', 'books', 'listing_cursor', 'run_metadata', 'run_sessions']);
      const indexes = db
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND name LIKE 'idx_%' ORDER BY name")
        .pluck()
        .all();
      expect(indexes).toEqual([
        'idx_books_grin_state',
        'idx_books_synced',
        'idx_run_sessions_stage',
        'idx_status_history_barcode_type_time',
      ]);
      const fks = db.pragma('foreign_key_list(book_status_history)') as { table: string; from: string }[];
      expect(fks.map((f) => `${f.from}->${f.table}`).sort()).toEqual(['barcode->books', 'session_id->run_sessions']);
    } finally {
      db.close();
    }
  });

  it('applies the connection pragmas', () => {
    const path = join(dir, 'books.db');
    const catalogue = openCatalogue(path);
    expect(catalogue.connectionSettings()).toEqual({
      journalMode: 'wal',
      synchronous: 1,
      busyTimeoutMs: 5000,
      foreignKeys: true,
      tempStore: 2,
      cacheSize: -65536,
    });
    catalogue.close();
    // Persistent setting: the file stays in WAL mode.
    const db = new BetterSqlite3(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('turns a garbage file into CatalogueUnreadableError with a hint, never a raw SqliteError', () => {
    const path = join(dir, 'books.db');
    writeFileSync(path, 'this is not a database, just some text that is long enough '.repeat(100));
    let caught: unknown;
    try {
      openCatalogue(path);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(CatalogueUnreadableError);
    const error = caught as CatalogueUnreadableError;
    expect(error.code).toBe('catalogue_unreadable');
    expect(error.name).toBe('CatalogueUnreadableError');
    expect(error.retryable).toBe(false);
    expect(error.hint).toMatch(/backups|new run name/);
    expect((error.cause as Error).name).toBe('SqliteError');
    // The failed open does not hold the file: a second attempt fails the same way.
    expect(() => openCatalogue(path)).toThrow(CatalogueUnreadableError);
  });

  it('refuses a version-0 SQLite file of another tool', () => {
    const path = join(dir, 'books.db');
    const other = new BetterSqlite3(path);
    other.exec('CREATE TABLE books (barcode TEXT PRIMARY KEY); CREATE TABLE processed (barcode TEXT)');
    other.close();
    expect(() => openCatalogue(path)).toThrow(/not a grin catalogue/);
    expect(() => openCatalogue(path)).toThrow(CatalogueUnreadableError);
    expect(rawUserVersion(path)).toBe(0);
  });

  it('refuses a database newer than the code with CatalogueVersionError', () => {
    const path = join(dir, 'books.db');
    openCatalogue(path).close();
    const db = new BetterSqlite3(path);
    db.pragma(`user_version = ${CATALOGUE_SCHEMA_VERSION + 5}`);
    db.close();
    let caught: unknown;
    try {
      openCatalogue(path);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(CatalogueVersionError);
    const error = caught as CatalogueVersionError;
    expect(error.code).toBe('catalogue_version');
    expect(error.fileVersion).toBe(CATALOGUE_SCHEMA_VERSION + 5);
    expect(error.hint).toMatch(/Update this tool/);
    expect(() => openCatalogue(path, { readonly: true })).toThrow(CatalogueVersionError);
  });

  it('opens read-only: reads work, writes fail, nothing is migrated', () => {
    const path = join(dir, 'books.db');
    expect(() => openCatalogue(path, { readonly: true })).toThrow(CatalogueUnreadableError);
    const writer = openCatalogue(path);
    writer.storeListingPage({ list: 'l', pageNumber: 1, url: null, nextUrl: null, pageSize: 1, rows: [listingRow('B1')] });
    const reader = openCatalogue(path, { readonly: true });
    expect(reader.readonly).toBe(true);
    expect(reader.getBook('B1')?.title).toBe('Title B1');
    expect(() => reader.ensureBooks(['B2'])).toThrow(/readonly/i);
    reader.close();
    writer.close();
  });

  it('allows one writer per file per process', () => {
    const path = join(dir, 'books.db');
    const first = openCatalogue(path);
    expect(() => openCatalogue(join(dir, '.', 'books.db'))).toThrow(CatalogueAlreadyOpenError);
    first.close();
    const again = openCatalogue(path);
    again.close();
  });
});

describe('migrations', () => {
  it('apply in order, each in a transaction; a failing migration leaves the previous version intact', () => {
    const path = join(dir, 'm.db');
    const db = new BetterSqlite3(path);
    const extra: Migration[] = [
      ...MIGRATIONS,
      { version: MIGRATIONS.length + 1, name: 'add column', up: (d) => d.exec('ALTER TABLE run_metadata ADD COLUMN note TEXT') },
      {
        version: MIGRATIONS.length + 2,
        name: 'broken',
        up: (d) => {
          d.exec('CREATE TABLE half_done (x INTEGER)');
          throw new Error('migration bug');
        },
      },
    ];
    expect(() => migrateCatalogue(db, path, extra)).toThrow('migration bug');
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length + 1);
    const columns = (db.pragma('table_info(run_metadata)') as { name: string }[]).map((c) => c.name);
    expect(columns).toContain('note');
    expect(db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'half_done'").pluck().get()).toBe(0);

    // Fixed migration: only the missing step runs.
    const fixed = [...extra.slice(0, -1), { version: MIGRATIONS.length + 2, name: 'fixed', up: (d: BetterSqlite3.Database) => d.exec('CREATE TABLE done (x)') }];
    expect(migrateCatalogue(db, path, fixed)).toEqual({ from: MIGRATIONS.length + 1, to: MIGRATIONS.length + 2 });
    db.close();
  });

  it('rejects a migration list that is not 1, 2, 3, ...', () => {
    const db = new BetterSqlite3(':memory:');
    expect(() => migrateCatalogue(db, ':memory:', [{ version: 2, name: 'x', up: () => undefined }])).toThrow(/in order/);
    db.close();
  });
});
