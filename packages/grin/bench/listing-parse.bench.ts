// Listing parse benchmark: `pnpm --filter @grin/client bench`.
// 1. Per-stage cost of one 10,000-row page, CPU µs per row (median of BENCH_ITERATIONS), all on
//    this thread and the same bytes: decoding, htmlparser2's Tokenizer and Parser with no-op
//    handlers (the Parser pass is the limit the collect benchmark compares against), the previous
//    ListingParser (on Parser; now the tests' oracle), the ListingParser (objects, packed), the
//    date conversions alone, and handing the rows to another thread (structured clone of row
//    objects vs packed strings; sender and receiver shares).
// 2. End to end over loopback HTTP (server in a child process): listPages with parseIn 'main' vs
//    'worker', with a consumer that does nothing and one that burns CPU per row (standing in for
//    SQLite writes).
import { fork } from 'node:child_process';
import { serialize } from 'node:v8';
import { fileURLToPath } from 'node:url';
import { createGrinClient, staticTokenProvider, type GrinClient, type ListingRow, type ParseLocation } from '../src/index.js';
import { packListingRows } from '../src/listing/packed-rows.js';
import { PACKED_BATCH_ROWS } from '../src/listing/page-rows.js';
import { listingPageHtml } from './listing-page-html.js';
import * as stage from './listing-stages.js';

const ROWS = 10_000;
const CHUNK = 64 * 1024;
const ITERATIONS = Number(process.env['BENCH_ITERATIONS'] ?? 15);

function chunksOf(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += CHUNK) out.push(bytes.subarray(i, i + CHUNK));
  return out;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** Median CPU and wall time of `fn` in µs per row (after warm-up runs). */
function perRow(fn: () => unknown): { cpu: number; wall: number } {
  for (let i = 0; i < 3; i += 1) fn();
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let i = 0; i < ITERATIONS; i += 1) {
    const c = process.cpuUsage();
    const t = performance.now();
    fn();
    wall.push(((performance.now() - t) * 1000) / ROWS);
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / ROWS);
  }
  return { cpu: median(cpu), wall: median(wall) };
}

function stageTable(): string[] {
  const html = Buffer.from(listingPageHtml(ROWS, 0, '?result_count=10000&amp;first=10000'));
  const chunks = chunksOf(html);
  const rows = stage.listingParse(chunks);
  if (rows.length !== ROWS || stage.oracleParse(chunks).length !== ROWS) throw new Error('parsers disagree on the row count');
  const dates: string[] = [];
  for (const r of stage.oracleParse(chunks)) {
    for (const d of [r.scannedDate, r.analyzedDate, r.convertedDate, r.downloadedDate, r.processedDate, r.ocrDate]) {
      if (d !== null) dates.push(`${d.slice(0, 4)}/${d.slice(5, 7)}/${d.slice(8, 10)} ${d.slice(11, 16)}`);
    }
  }
  const packedMessage = serialize(batches(rows));
  const objectMessage = serialize(rows);
  const measures: Array<[string, () => unknown]> = [
    ['decode only (TextDecoder, 64 KiB chunks)', () => stage.decodeOnly(chunks)],
    ['htmlparser2 Tokenizer, no-op callbacks', () => stage.bareTokenizerPass(chunks)],
    ['**limit**: htmlparser2 Parser, no-op handlers', () => stage.bareParserPass(chunks)],
    ['previous ListingParser (on Parser), row objects', () => stage.oracleParse(chunks)],
    ['ListingParser, row objects', () => stage.listingParse(chunks)],
    ['ListingParser, packed as it parses (listing thread)', () => stage.listingParsePacked(chunks)],
    [`date conversions alone (${(dates.length / ROWS).toFixed(1)} per row)`, () => stage.convertDates(dates)],
    ['hand-over, row objects: serialize (sender)', () => serialize(rows)],
    ['hand-over, row objects: deserialize (receiver)', () => stage.receiveObjects(objectMessage)],
    ['hand-over, packed: pack + serialize (sender)', () => serialize(batches(rows))],
    ['hand-over, packed: deserialize + unpack (receiver)', () => stage.receivePacked(packedMessage)],
  ];
  const lines = [
    `Per-stage cost, one ${ROWS.toLocaleString('en-US')}-row page (${(html.length / 1e6).toFixed(2)} MB), median of ${ITERATIONS}, this thread:`,
    '',
    '| stage | CPU µs/row | wall µs/row | rows/s (wall) |',
    '|---|---|---|---|',
  ];
  let limit = 0;
  const results: Array<[string, { cpu: number; wall: number }]> = [];
  for (const [name, fn] of measures) {
    const r = perRow(fn);
    if (name.startsWith('**limit**')) limit = r.wall;
    results.push([name, r]);
    lines.push(`| ${name} | ${r.cpu.toFixed(2)} | ${r.wall.toFixed(2)} | ${Math.round(1e6 / r.wall).toLocaleString('en-US')} |`);
  }
  lines.push('');
  for (const [name, r] of results) {
    if (name.includes('ListingParser')) lines.push(`- ${name}: **${(limit / r.wall).toFixed(2)}** x the limit's throughput`);
  }
  return lines;
}

function batches(rows: readonly ListingRow[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < rows.length; i += PACKED_BATCH_ROWS) out.push(packListingRows(rows.slice(i, i + PACKED_BATCH_ROWS)));
  return out;
}

function benchClient(parseIn: ParseLocation, baseUrl: string): GrinClient {
  return createGrinClient({
    libraryDirectory: 'Bench',
    baseUrl,
    tokenProvider: staticTokenProvider('bench-token'),
    requestsPerSecond: Number.POSITIVE_INFINITY,
    parseIn,
  });
}

function burn(microseconds: number): void {
  const end = performance.now() + microseconds / 1000;
  while (performance.now() < end) {
    // busy: stands in for synchronous SQLite inserts on the main thread
  }
}

interface EndToEnd {
  wallMs: number;
  /** Time the main thread's event loop was busy (parsing, copying, consuming). */
  mainBusyMs: number;
}

async function endToEnd(client: GrinClient, pages: number, consumerUsPerRow: number): Promise<EndToEnd> {
  const elu = performance.eventLoopUtilization();
  const start = performance.now();
  let rows = 0;
  for await (const page of client.listPages('_all_books', { pageSize: ROWS })) {
    rows += page.rows.length;
    if (consumerUsPerRow > 0) burn(page.rows.length * consumerUsPerRow);
  }
  const wallMs = performance.now() - start;
  const used = performance.eventLoopUtilization(elu);
  if (rows !== pages * ROWS) throw new Error(`got ${rows} rows, expected ${pages * ROWS}`);
  return { wallMs, mainBusyMs: used.active };
}

async function main(): Promise<void> {
  const lines: string[] = stageTable();
  lines.push('');

  const pages = Number(process.env['BENCH_PAGES'] ?? 8);
  const server = fork(fileURLToPath(new URL('./listing-server.ts', import.meta.url)), [String(ROWS), String(pages)], {
    execArgv: process.execArgv,
    stdio: 'inherit',
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('message', (m) => resolve((m as { port: number }).port));
    server.once('error', reject);
  });
  const baseUrl = `http://127.0.0.1:${port}/libraries/`;
  const runs = Number(process.env['BENCH_E2E_RUNS'] ?? 5);
  lines.push(`End to end: listPages over loopback HTTP (server in a child process), ${pages} pages x ${ROWS} rows, best of ${runs} interleaved runs, steady state`);
  // One client per mode for the whole run: the worker thread starts once (about a second under
  // tsx, a one-off cost of a listing) and the figures are steady-state page throughput.
  const clients: Record<ParseLocation, GrinClient> = {
    main: benchClient('main', baseUrl),
    worker: benchClient('worker', baseUrl),
  };
  for (const where of ['main', 'worker'] as const) await endToEnd(clients[where], pages, 0); // warm-up
  for (const usPerRow of [0, 5, 20]) {
    const best: Record<ParseLocation, EndToEnd> = {
      main: { wallMs: Infinity, mainBusyMs: Infinity },
      worker: { wallMs: Infinity, mainBusyMs: Infinity },
    };
    for (let i = 0; i < runs; i += 1) {
      for (const where of ['main', 'worker'] as const) {
        const r = await endToEnd(clients[where], pages, usPerRow);
        best[where] = { wallMs: Math.min(best[where].wallMs, r.wallMs), mainBusyMs: Math.min(best[where].mainBusyMs, r.mainBusyMs) };
      }
    }
    const total = pages * ROWS;
    const fmt = (e: EndToEnd): string =>
      `${e.wallMs.toFixed(0)} ms wall (${Math.round(total / (e.wallMs / 1000)).toLocaleString('en-US')} rows/s), main thread busy ${e.mainBusyMs.toFixed(0)} ms`;
    lines.push(`  consumer ${usPerRow} us/row of main-thread work:`);
    lines.push(`    parseIn main:   ${fmt(best.main)}`);
    lines.push(`    parseIn worker: ${fmt(best.worker)}`);
    lines.push(
      `    worker/main: wall ${(best.worker.wallMs / best.main.wallMs).toFixed(2)}, main-thread busy ${(best.worker.mainBusyMs / best.main.mainBusyMs).toFixed(2)}`,
    );
  }
  await Promise.all([clients.main.close(), clients.worker.close()]);
  server.disconnect();
  console.log(lines.join('\n'));
}

await main();
