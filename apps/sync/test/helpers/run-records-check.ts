import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { BOOK_COLUMNS, openCatalogue } from '@grin/books';
import { parse } from 'csv-parse/sync';
import type { RunSummary } from '../../src/teardown/index.js';
import type { Harness } from './sync-harness.js';

export interface RunRecords {
  summary: RunSummary;
  /** CSV rows (without the header) by barcode. */
  rows: Map<string, Record<string, string>>;
}

/**
 * Problems (empty = fine) with a run's teardown records for local storage `storageDir`:
 * `books_export.csv` with every catalogue column and one row per catalogue book (values as in the
 * catalogue for the synced / MARC columns); `process_summary.json` with the sync stage and every
 * teardown item ok; the meta copies (`meta/RUN/`) of the CSV, database and summary.
 */
export async function checkRunRecords(h: Harness, runName: string, storageDir: string): Promise<{ problems: string[]; records: RunRecords | null }> {
  const problems: string[] = [];
  const runDir = h.runDir(runName);
  const csvPath = join(runDir, 'books_export.csv');
  const summaryPath = join(runDir, 'process_summary.json');
  for (const p of [csvPath, summaryPath]) if (!existsSync(p)) problems.push(`missing ${p}`);
  if (problems.length > 0) return { problems, records: null };

  const csvText = await readFile(csvPath, 'utf8');
  const [header, ...body] = parse(csvText) as string[][];
  if (JSON.stringify(header) !== JSON.stringify(BOOK_COLUMNS.map((c) => c.header))) problems.push('CSV header is not every catalogue column');
  const rows = new Map<string, Record<string, string>>();
  for (const r of body) rows.set(r[0] as string, Object.fromEntries((header ?? []).map((name, i) => [name, r[i] ?? ''])));
  const catalogue = openCatalogue(join(runDir, 'books.db'), { readonly: true });
  try {
    if (rows.size !== catalogue.countBooks()) problems.push(`CSV has ${rows.size} rows, the catalogue ${catalogue.countBooks()} books`);
    for (const book of catalogue.iterateBooks()) {
      const row = rows.get(book.barcode);
      if (row === undefined) {
        problems.push(`${book.barcode}: not in the CSV`);
        continue;
      }
      if ((row['Sync Timestamp'] ?? '') !== (book.sync_timestamp ?? '')) problems.push(`${book.barcode}: CSV sync timestamp differs`);
      if ((row['MARC Title'] ?? '') !== (book.marc_title ?? '')) problems.push(`${book.barcode}: CSV MARC title differs`);
    }
  } finally {
    catalogue.close();
  }

  const summary = JSON.parse(await readFile(summaryPath, 'utf8')) as RunSummary;
  if (summary.stages['sync'] === undefined) problems.push('process_summary.json has no sync stage');
  const failedItems = (summary.teardown?.items ?? []).filter((i) => !i.ok).map((i) => i.name);
  if (failedItems.length > 0) problems.push(`teardown items failed: ${failedItems.join(', ')}`);

  const meta = join(storageDir, 'meta', runName);
  for (const name of ['books_latest.csv.gz', 'books_latest.db.gz', 'process_summary.json.gz']) {
    if (!existsSync(join(meta, name))) problems.push(`missing meta copy ${name}`);
  }
  if (existsSync(join(meta, 'books_latest.csv.gz')) && gunzipSync(await readFile(join(meta, 'books_latest.csv.gz'))).toString('utf8') !== csvText) {
    problems.push('meta CSV copy differs from books_export.csv');
  }
  return { problems, records: { summary, rows } };
}
