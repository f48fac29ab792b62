import type { Database, Statement } from 'better-sqlite3';
import { isBookColumn, type BookColumnValues } from './book-columns.js';

/**
 * `UPDATE books SET <columns>, updated_at = ? WHERE barcode = ?` with one cached prepared statement
 * per column set. Column names are checked against the schema list, never taken from input.
 */
export class ColumnUpdater {
  private readonly cache = new Map<string, { stmt: Statement; columns: string[] }>();

  constructor(private readonly db: Database) {}

  /** Applies `values` to one book and sets `updated_at`; returns whether the row exists. */
  update(barcode: string, values: BookColumnValues, updatedAt: string): boolean {
    const columns = Object.keys(values).filter((c) => c !== 'barcode' && c !== 'updated_at').sort();
    if (columns.length === 0) return false;
    const key = columns.join(',');
    let entry = this.cache.get(key);
    if (!entry) {
      for (const c of columns) if (!isBookColumn(c)) throw new Error(`not a books column: ${c}`);
      const sets = columns.map((c) => `${c} = ?`).join(', ');
      entry = { stmt: this.db.prepare(`UPDATE books SET ${sets}, updated_at = ? WHERE barcode = ?`), columns };
      this.cache.set(key, entry);
    }
    const params = entry.columns.map((c) => values[c as keyof BookColumnValues] ?? null);
    return entry.stmt.run(...params, updatedAt, barcode).changes > 0;
  }
}
