import type { Database } from 'better-sqlite3';
import { CatalogueUnreadableError, CatalogueVersionError } from './errors.js';
import { SCHEMA_V1 } from './schema-v1.js';

/** One schema step; `up` runs inside its own IMMEDIATE transaction together with the version bump. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  up(db: Database): void;
}

/** Ordered migrations; the schema version of a database is `PRAGMA user_version`. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial schema', up: (db) => db.exec(SCHEMA_V1) },
];

/** Schema version this code creates and understands. */
export const CATALOGUE_SCHEMA_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

export interface MigrationResult {
  from: number;
  to: number;
}

/** Reads `PRAGMA user_version`. */
export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings the database up to the last migration. Each migration runs in an IMMEDIATE transaction
 * that re-reads the version first, so two processes opening the same new file cannot both apply it.
 */
export function migrateCatalogue(
  db: Database,
  path: string,
  migrations: readonly Migration[] = MIGRATIONS,
): MigrationResult {
  checkMigrationOrder(migrations);
  const latest = migrations[migrations.length - 1]?.version ?? 0;
  const from = schemaVersion(db);
  assertNotNewer(from, latest, path);
  for (const migration of migrations) {
    const apply = db.transaction(() => {
      const current = schemaVersion(db);
      if (current >= migration.version) return;
      if (current === 0) assertNoForeignTables(db, path);
      migration.up(db);
      // PRAGMA user_version is written into the database header inside this transaction.
      db.pragma(`user_version = ${migration.version}`);
    });
    apply.immediate();
  }
  return { from, to: schemaVersion(db) };
}

/** Throws when the file's schema is newer than `latest` (it was written by a newer tool). */
export function assertNotNewer(fileVersion: number, latest: number, path: string): void {
  if (fileVersion > latest) {
    throw new CatalogueVersionError(
      `${path} has schema version ${fileVersion}, but this tool only knows versions up to ${latest}`,
      { path, fileVersion, codeVersion: latest },
    );
  }
}

function checkMigrationOrder(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new Error(`migration #${i} has version ${m.version}; versions must be 1, 2, 3, ... in order`);
    }
  });
}

/** A version-0 file with tables is some other tool's database (e.g. the Python reference's books.db). */
function assertNoForeignTables(db: Database, path: string): void {
  const tables = db
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .pluck()
    .all() as string[];
  if (tables.length > 0) {
    throw new CatalogueUnreadableError(
      `${path} is an SQLite database but not a grin catalogue (schema version 0 with tables ${tables.join(', ')})`,
      path,
      {
        hint:
          'This file was probably made by another tool (for example the earlier Python grin-transfer). ' +
          'Use a new run name so a fresh books.db is created; the old file is left untouched.',
      },
    );
  }
}
