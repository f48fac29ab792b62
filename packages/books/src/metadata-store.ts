import type { Database, Statement } from 'better-sqlite3';
import { isoTimestamp, type Clock } from './timestamp.js';

/** `run_metadata`: small JSON values keyed by name (e.g. the run config hash, the library directory). */
export class MetadataStore {
  private readonly getStmt: Statement;
  private readonly setStmt: Statement;
  private readonly deleteStmt: Statement;

  constructor(db: Database, private readonly now: Clock) {
    this.getStmt = db.prepare('SELECT value FROM run_metadata WHERE key = ?').pluck();
    this.setStmt = db.prepare(
      `INSERT INTO run_metadata (key, value, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    );
    this.deleteStmt = db.prepare('DELETE FROM run_metadata WHERE key = ?');
  }

  get<T = unknown>(key: string): T | undefined {
    const value = this.getStmt.get(key) as string | null | undefined;
    return value === undefined || value === null ? undefined : (JSON.parse(value) as T);
  }

  /** Stores `value` as JSON; `undefined` deletes the key. */
  set(key: string, value: unknown): void {
    if (value === undefined) this.deleteStmt.run(key);
    else this.setStmt.run(key, JSON.stringify(value), isoTimestamp(this.now()));
  }
}
