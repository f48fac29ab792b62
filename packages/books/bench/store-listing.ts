/**
 * storeListingPage vs bare better-sqlite3 prepared INSERTs, same rows, same schema, same pragmas,
 * page-sized transactions. Usage:
 *   pnpm --filter @grin/books bench [-- --rows 1000000 --page 10000 --order sequential|random --skip-export]
 * Only the store calls are timed (row generation is excluded from both sides).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import { openCatalogue, type ListingRow } from '../src/index.js';

const { values } = parseArgs({
  // pnpm forwards a literal `--`; drop it.
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    rows: { type: 'string', default: '1000000' },
    page: { type: 'string', default: '10000' },
    order: { type: 'string', default: 'sequential' },
    'skip-export': { type: 'boolean', default: false },
  },
});
const TOTAL = Number(values.rows);
const PAGE = Number(values.page);
const RANDOM = values.order === 'random';
const PAGES = Math.ceil(TOTAL / PAGE);

/** Deterministic barcodes; `random` permutes them (multiplicative hash mod a prime > TOTAL). */
function barcodeAt(i: number): string {
  const n = RANDOM ? (i * 7_368_787) % 10_000_019 : i;
  return `32044${String(n).padStart(9, '0')}`;
}

function pageRows(page: number): ListingRow[] {
  const rows: ListingRow[] = [];
  for (let i = page * PAGE; i < Math.min(TOTAL, (page + 1) * PAGE); i++) {
    const day = String((i % 28) + 1).padStart(2, '0');
    rows.push({
      barcode: barcodeAt(i),
      title: `Title of volume ${i}, with "quotes" and a comma`,
      grinState: i % 3 === 0 ? 'PREVIOUSLY_DOWNLOADED' : 'CONVERTED',
      scannedDate: `2019-03-${day}T10:15:00`,
      analyzedDate: `2019-04-${day}T10:15:00`,
      convertedDate: i % 3 === 0 ? null : `2020-01-${day}T08:00:00`,
      downloadedDate: null,
      processedDate: `2019-05-${day}T11:00:00`,
      ocrDate: `2019-05-${day}T12:00:00`,
      googleBooksLink: `https://books.google.com/books?id=${i.toString(36)}`,
    });
  }
  return rows;
}

function timed(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const dir = mkdtempSync(join(tmpdir(), 'grin-books-bench-'));
try {
  // Bare: the same schema (created by openCatalogue), then a raw connection with the same pragmas.
  const barePath = join(dir, 'bare.db');
  openCatalogue(barePath).close();
  const bare = new BetterSqlite3(barePath);
  bare.pragma('journal_mode = WAL');
  bare.pragma('synchronous = NORMAL');
  bare.pragma('cache_size = -65536');
  bare.pragma('temp_store = MEMORY');
  const insert = bare.prepare(
    `INSERT INTO books (barcode, title, scanned_date, analyzed_date, converted_date, downloaded_date,
     processed_date, ocr_date, google_books_link, grin_state, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const bareTx = bare.transaction((rows: ListingRow[], ts: string) => {
    for (const r of rows) {
      insert.run(r.barcode, r.title, r.scannedDate, r.analyzedDate, r.convertedDate, r.downloadedDate,
        r.processedDate, r.ocrDate, r.googleBooksLink, r.grinState, ts, ts);
    }
  });

  // Ours: storeListingPage in insert mode, with a session (its counts are updated per page too).
  const cat = openCatalogue(join(dir, 'books.db'));
  const sessionId = cat.startSession({ stage: 'bench' });
  const storePage = (p: number, rows: ListingRow[], mode: 'insert' | 'refresh') =>
    cat.storeListingPage({
      list: '_all_books', pageNumber: p + 1, url: `u${p}`, nextUrl: p + 1 < PAGES ? `u${p + 1}` : null,
      pageSize: PAGE, rows, mode, sessionId,
    });

  // Interleaved page by page (alternating which goes first) so load from other processes on the
  // machine hits both sides alike.
  let bareSeconds = 0;
  let oursSeconds = 0;
  for (let p = 0; p < PAGES; p++) {
    const rows = pageRows(p);
    const ts = new Date().toISOString();
    const runBare = () => (bareSeconds += timed(() => bareTx(rows, ts)));
    const runOurs = () => (oursSeconds += timed(() => storePage(p, rows, 'insert')));
    if (p % 2 === 0) {
      runBare();
      runOurs();
    } else {
      runOurs();
      runBare();
    }
  }
  bare.close();
  if (cat.countBooks() !== TOTAL) throw new Error(`expected ${TOTAL} books, found ${cat.countBooks()}`);

  // Refresh walk over the now existing rows (nothing changes: the "unchanged" path).
  let refreshSeconds = 0;
  for (let p = 0; p < PAGES; p++) {
    const rows = pageRows(p);
    refreshSeconds += timed(() => storePage(p, rows, 'refresh'));
  }

  let exportLine = '';
  if (!values['skip-export']) {
    const csvPath = join(dir, 'books_export.csv');
    const start = process.hrtime.bigint();
    const n = await cat.exportCsv(csvPath);
    const s = Number(process.hrtime.bigint() - start) / 1e9;
    exportLine = `exportCsv:                   ${rate(n, s)} rows/s (${n} rows, ${(statSync(csvPath).size / 2 ** 20).toFixed(0)} MiB, ${s.toFixed(1)} s)`;
  }
  cat.close();

  const bareRate = TOTAL / bareSeconds;
  const oursRate = TOTAL / oursSeconds;
  console.log(`rows ${TOTAL}, page ${PAGE}, key order ${RANDOM ? 'random' : 'sequential'}, node ${process.version}, load avg ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log(`bare prepared INSERT (limit): ${rate(TOTAL, bareSeconds)} rows/s (${bareSeconds.toFixed(2)} s)`);
  console.log(`storeListingPage insert:      ${rate(TOTAL, oursSeconds)} rows/s (${oursSeconds.toFixed(2)} s)`);
  console.log(`ratio storeListingPage/bare:  ${(oursRate / bareRate).toFixed(2)}`);
  console.log(`storeListingPage refresh (all unchanged): ${rate(TOTAL, refreshSeconds)} rows/s (${refreshSeconds.toFixed(2)} s)`);
  if (exportLine) console.log(exportLine);
  console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function rate(n: number, seconds: number): string {
  return Math.round(n / seconds).toLocaleString('en-US');
}
