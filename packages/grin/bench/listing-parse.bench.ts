// Listing parse benchmark: `pnpm --filter @grin/client bench`.
// 1. Parse throughput of a 10,000-row page (rows/s) against a bare htmlparser2 pass with no-op
//    handlers over the same bytes, same run -> ratio.
// 2. End to end over loopback HTTP (server in a child process): listPages with parseIn 'main' vs 'worker', with a consumer
//    that does nothing and one that burns CPU per row (standing in for SQLite writes).
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Parser } from 'htmlparser2';
import { createGrinClient, staticTokenProvider, type GrinClient, type ParseLocation } from '../src/index.js';
import { MainThreadParseEngine } from '../src/listing/parse-engine.js';
import { WorkerParseEngine } from '../src/listing/worker-parse-engine.js';
import { listingPageHtml } from './listing-page-html.js';

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

function bareTokenizerPass(chunks: Buffer[]): void {
  const decoder = new TextDecoder();
  const noop = (): void => undefined;
  const parser = new Parser({ onopentag: noop, onclosetag: noop, ontext: noop });
  for (const chunk of chunks) parser.write(decoder.decode(chunk, { stream: true }));
  parser.write(decoder.decode());
  parser.end();
}

async function listingParse(engine: MainThreadParseEngine | WorkerParseEngine, chunks: Buffer[]): Promise<number> {
  const session = engine.start();
  for (const chunk of chunks) session.write(chunk);
  const parsed = await session.end();
  return parsed.rows.length;
}

async function timeIt(fn: () => unknown): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

async function parseThroughput(): Promise<{ bareMs: number; mainMs: number; workerMs: number; bytes: number }> {
  const html = Buffer.from(listingPageHtml(ROWS, 0, '?result_count=10000&amp;first=10000'));
  const chunks = chunksOf(html);
  const main = new MainThreadParseEngine();
  const worker = new WorkerParseEngine();
  const rows = await listingParse(main, chunks);
  if (rows !== ROWS) throw new Error(`parsed ${rows} rows, expected ${ROWS}`);
  for (let i = 0; i < 3; i += 1) {
    bareTokenizerPass(chunks);
    await listingParse(main, chunks);
    await listingParse(worker, chunks);
  }
  const bare: number[] = [];
  const mainT: number[] = [];
  const workerT: number[] = [];
  for (let i = 0; i < ITERATIONS; i += 1) {
    bare.push(await timeIt(() => bareTokenizerPass(chunks)));
    mainT.push(await timeIt(() => listingParse(main, chunks)));
    workerT.push(await timeIt(() => listingParse(worker, chunks)));
  }
  await worker.close();
  return { bareMs: median(bare), mainMs: median(mainT), workerMs: median(workerT), bytes: html.length };
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
  const t = await parseThroughput();
  const rate = (ms: number): number => Math.round(ROWS / (ms / 1000));
  const lines: string[] = [];
  lines.push(`Listing page: ${ROWS} rows, ${(t.bytes / 1e6).toFixed(2)} MB, fed in 64 KiB chunks, median of ${ITERATIONS}`);
  lines.push(`  bare htmlparser2 pass (no-op handlers): ${t.bareMs.toFixed(1)} ms  = ${rate(t.bareMs).toLocaleString('en-US')} rows/s (limit)`);
  lines.push(`  ListingParser on main thread:           ${t.mainMs.toFixed(1)} ms  = ${rate(t.mainMs).toLocaleString('en-US')} rows/s  ratio ${(t.bareMs / t.mainMs).toFixed(2)} of the bare pass`);
  lines.push(`  ListingParser in worker (incl. transfer): ${t.workerMs.toFixed(1)} ms  = ${rate(t.workerMs).toLocaleString('en-US')} rows/s  ratio ${(t.bareMs / t.workerMs).toFixed(2)}`);

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
