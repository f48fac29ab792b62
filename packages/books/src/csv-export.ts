import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Database } from 'better-sqlite3';
import { stringify } from 'csv-stringify';
import { writeFileAtomicWith } from '@grin/run';
import { BOOK_COLUMNS } from './book-columns.js';

export interface ExportCsvOptions {
  signal?: AbortSignal | undefined;
  /** Rows read from SQLite per query (default 2000). */
  batchSize?: number | undefined;
}

const HEADERS = BOOK_COLUMNS.map((c) => c.header);
const BOOLEAN_INDEXES = BOOK_COLUMNS.flatMap((c, i) => (c.type === 'boolean' ? [i] : []));
// rowid last: csv-stringify only emits as many fields as there are `columns`, so the keyset
// column is dropped without copying every row.
const SELECT_SQL = `SELECT ${BOOK_COLUMNS.map((c) => c.name).join(', ')}, rowid FROM books
  WHERE rowid > ? ORDER BY rowid LIMIT ?`;
const WRITE_CHUNK = 1 << 20;

/**
 * Writes every book as RFC 4180 CSV through csv-stringify (CRLF line ends, fields quoted when they
 * hold a comma, quote or line break; UTF-8 without BOM): one header line with the human column
 * names of reference 5.12 plus this tool's extra columns, then one line per book in catalogue
 * order. NULL -> empty cell, `Is Decrypted` -> TRUE/FALSE. Streams in keyset batches (never the
 * whole table in memory; the connection is free between batches) into a temp file that is renamed
 * over `path` when complete. Resolves to the number of books written.
 */
export async function exportBooksCsv(db: Database, path: string, options: ExportCsvOptions = {}): Promise<number> {
  const batchSize = options.batchSize ?? 2000;
  const signal = options.signal;
  signal?.throwIfAborted();
  const select = db.prepare(SELECT_SQL).raw();
  const rowidIndex = BOOK_COLUMNS.length;
  let count = 0;

  function* records(): Generator<unknown[]> {
    let after = 0;
    for (;;) {
      const rows = select.all(after, batchSize) as unknown[][];
      for (const row of rows) {
        for (const i of BOOLEAN_INDEXES) row[i] = row[i] ? 'TRUE' : 'FALSE';
        count++;
        yield row;
      }
      if (rows.length < batchSize) return;
      after = rows[rows.length - 1]![rowidIndex] as number;
    }
  }

  await writeFileAtomicWith(path, async (file) => {
    await pipeline(
      Readable.from(records()),
      stringify({ header: true, columns: HEADERS, record_delimiter: 'windows' }),
      // csv-stringify emits one chunk per record; write in ~1 MiB pieces.
      async (source: AsyncIterable<string | Buffer>) => {
        let pending = '';
        for await (const chunk of source) {
          pending += chunk;
          if (pending.length >= WRITE_CHUNK) {
            await file.write(pending);
            pending = '';
          }
        }
        if (pending) await file.write(pending);
      },
      signal ? { signal } : {},
    );
  });
  return count;
}
