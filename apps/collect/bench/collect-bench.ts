// Collect benchmark: `pnpm --filter @grin/collect bench`.
// Part 1: collect a 1,000,000-book simulated library (page size 10,000, no latency; simulator in
//   a child process) and compare records/s with two limits measured in the same run on the same
//   pages: bare better-sqlite3 inserts in page-sized transactions, and a bare htmlparser2 pass.
//   CPU time per record is printed too: on a shared 2-core machine wall-clock rates depend on what
//   else runs, CPU time per record much less.
// Part 2: with page latency L on a smaller library, total time vs pages x L (prefetch hides storing).
// The simulator stands in for GRIN: the first pages it renders are slow while its own code is
//   compiled, so it is warmed with two page requests before each walk (the raw-fetch reference of
//   part 2 runs after the walk, against a warm simulator too).
// Env: BENCH_BOOKS (1,000,000), BENCH_LATENCY_MS (300), BENCH_LATENCY_PAGES (20),
//   BENCH_LATENCY_PAGE_SIZE (500), BENCH_CLIENT (thread | main | worker), BENCH_PARTS (1,2),
//   BENCH_OUT (also write the markdown report to this file).
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { Parser } from 'htmlparser2';
import { openCatalogue } from '@grin/books';
import { parseListingHtml, type ListingRow } from '@grin/client';
import { collectOnce, type ClientMode } from './collect-once.js';

const BOOKS = Number(process.env['BENCH_BOOKS'] ?? 1_000_000);
const PAGE_SIZE = 10_000;
const LATENCY_MS = Number(process.env['BENCH_LATENCY_MS'] ?? 300);
const LATENCY_PAGES = Number(process.env['BENCH_LATENCY_PAGES'] ?? 20);
const LATENCY_PAGE_SIZE = Number(process.env['BENCH_LATENCY_PAGE_SIZE'] ?? 500);
const OUT = process.env['BENCH_OUT'];
const CLIENT_MODE = (process.env['BENCH_CLIENT'] ?? 'thread') as ClientMode;
const PARTS = (process.env['BENCH_PARTS'] ?? '1,2').split(',');

export interface SimInfo {
  grinBaseUrl: string;
  libraryDirectory: string;
  credentialsDir: string;
}

function startSimProcess(books: number, latencyMs: number): Promise<{ child: ChildProcess; info: SimInfo }> {
  const child = fork(fileURLToPath(new URL('./simulator-process.ts', import.meta.url)), [String(books), String(latencyMs)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (info) => resolve({ child, info: info as SimInfo }));
    child.once('exit', (code) => reject(new Error(`simulator process exited with ${code}`)));
  });
}

function ask<T>(child: ChildProcess, question: string): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as T));
    child.send(question);
  });
}

function stopSimProcess(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.send('stop');
  });
}

const cpuMs = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1000;

/** The limits, on the same pages: bare htmlparser2 pass, bare prepared inserts (+ the client's parser). */
async function limits(sim: SimInfo, token: string, dir: string, pages: number) {
  const dbPath = join(dir, 'bare.db');
  openCatalogue(dbPath).close(); // the same books schema and indexes
  const db = new BetterSqlite3(dbPath);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const insert = db.prepare(
    `INSERT INTO books (barcode, title, scanned_date, analyzed_date, converted_date, downloaded_date, processed_date,
      ocr_date, google_books_link, grin_state, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
  );
  const insertPage = db.transaction((rows: ListingRow[], ts: string) => {
    for (const r of rows) {
      insert.run(r.barcode, r.title, r.scannedDate, r.analyzedDate, r.convertedDate, r.downloadedDate, r.processedDate,
        r.ocrDate, r.googleBooksLink, r.grinState, ts, ts);
    }
  });
  const time = { parse: 0, parseCpu: 0, client: 0, insert: 0, insertCpu: 0, fetchCpu: 0 };
  let rows = 0;
  let url: string | null = `${sim.grinBaseUrl}${sim.libraryDirectory}/_all_books?result_count=${PAGE_SIZE}`;
  for (let page = 0; page < pages && url !== null; page++) {
    let c = process.cpuUsage();
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    const bytes = new Uint8Array(await response.arrayBuffer());
    time.fetchCpu += cpuMs(process.cpuUsage(c));
    let t = performance.now();
    c = process.cpuUsage();
    const decoder = new TextDecoder();
    const noop = (): void => undefined;
    const parser = new Parser({ onopentag: noop, onclosetag: noop, ontext: noop });
    for (let i = 0; i < bytes.length; i += 65_536) parser.write(decoder.decode(bytes.subarray(i, i + 65_536), { stream: true }));
    parser.end();
    time.parse += performance.now() - t;
    time.parseCpu += cpuMs(process.cpuUsage(c));
    t = performance.now();
    const parsed = parseListingHtml(new TextDecoder().decode(bytes));
    time.client += performance.now() - t;
    rows += parsed.rows.length;
    t = performance.now();
    c = process.cpuUsage();
    insertPage(parsed.rows, new Date().toISOString());
    time.insert += performance.now() - t;
    time.insertCpu += cpuMs(process.cpuUsage(c));
    url = parsed.nextHref === null ? null : new URL(parsed.nextHref, url).toString();
  }
  db.close();
  return { rows, ...time };
}

/** Seconds to fetch every page once, sequentially, without parsing: the server's own pace. */
async function rawFetchAll(sim: SimInfo, token: string, pageSize: number, pages: number): Promise<number> {
  const started = performance.now();
  for (let page = 0; page < pages; page++) {
    const url = `${sim.grinBaseUrl}${sim.libraryDirectory}/_all_books?result_count=${pageSize}&first=${page * pageSize}`;
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    await response.arrayBuffer();
  }
  return (performance.now() - started) / 1000;
}

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<void> {
  const lines: string[] = [];
  const say = (line = ''): void => {
    console.log(line);
    lines.push(line);
  };
  const work = await mkdtemp(join(tmpdir(), 'collect-bench-'));
  try {
    say(`# collect benchmark (${new Date().toISOString()}, Node ${process.version}, ${cpus().length} cores)`);
    say();
    say(`Command: \`pnpm --filter @grin/collect bench\` — simulator in a child process, the real collect command in the`);
    say(`bench process (client mode: ${CLIENT_MODE}). Load average at start: ${loadavg().map((l) => l.toFixed(1)).join(' ')}.`);
    say();
    if (PARTS.includes('1')) await part1(say, work);
    if (PARTS.includes('2')) await part2(say, work);
    if (OUT) await writeFile(OUT, `${lines.join('\n')}\n`).catch((error: unknown) => console.error(`could not write ${OUT}: ${String(error)}`));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

type Say = (line?: string) => void;

async function part1(say: Say, work: string): Promise<void> {
  const { child, info } = await startSimProcess(BOOKS, 0);
  await rawFetchAll(info, (await ask<{ token: string }>(child, 'token')).token, PAGE_SIZE, 2); // warm the simulator
  const simCpu0 = (await ask<{ cpu: NodeJS.CpuUsage }>(child, 'cpu')).cpu;
  const run = await collectOnce(info, join(work, 'run1'), PAGE_SIZE, CLIENT_MODE);
  const simCpu1 = (await ask<{ cpu: NodeJS.CpuUsage }>(child, 'cpu')).cpu;
  const simCpuMs = (simCpu1.user - simCpu0.user + simCpu1.system - simCpu0.system) / 1000;
  const { token } = await ask<{ token: string }>(child, 'token');
  const lim = await limits(info, token, work, Math.ceil(BOOKS / PAGE_SIZE));
  await stopSimProcess(child);
  const loadAfter = loadavg()[0]!;
  const e2e = run.rows / run.walkS;
  const parseRate = (lim.rows / lim.parse) * 1000;
  const insertRate = (lim.rows / lim.insert) * 1000;
  const slower = Math.min(parseRate, insertRate);
  const us = (ms: number, n: number): string => fmt((ms * 1000) / n, 1);
  say(`## Part 1: ${fmt(BOOKS)} books, page size ${fmt(PAGE_SIZE)}, no latency`);
  say();
  say('| measure | wall-clock | CPU per record |');
  say('|---|---|---|');
  say(`| collect walk (fetch + parse + store + cursor + progress.json) | ${fmt(run.rows)} rows in ${fmt(run.walkS, 1)} s = **${fmt(e2e)} records/s** | ${us(run.walkCpuMs, run.rows)} µs (collector, all threads) + ${us(simCpuMs, run.rows)} µs (simulator) |`);
  if (run.threads) {
    const t = run.threads;
    say(`| … main thread (unpack, SQLite store, cursor, progress) | | ${us(t.mainMs, run.rows)} µs |`);
    say(`| … listing thread (HTTP, parse, pack) | | ${us(t.listingMs, run.rows)} µs |`);
    say(`| … other threads (V8 GC/compiler helpers, libuv) | | ${us(t.otherMs, run.rows)} µs |`);
  }
  say(`| whole command (probe, walk, CSV export of every column, summary) | ${fmt(run.wallS, 1)} s | |`);
  say(`| limit: bare better-sqlite3 inserts, page-sized transactions | ${fmt(insertRate)} rows/s | ${us(lim.insertCpu, lim.rows)} µs |`);
  say(`| limit: bare htmlparser2 pass (no-op handlers, decode included) | ${fmt(parseRate)} rows/s | ${us(lim.parseCpu, lim.rows)} µs |`);
  say(`| reference: @grin/client's listing parser (parseListingHtml), same pages | ${fmt((lim.rows / lim.client) * 1000)} rows/s | |`);
  say(`| reference: HTTP receive alone (fetch + read the body), same pages | | ${us(lim.fetchCpu, lim.rows)} µs |`);
  say(`| **ratio collect / slower limit** (goal >= 0.70) | **${fmt(e2e / slower, 2)}** ${e2e / slower >= 0.7 ? 'OK' : 'MISSED'} | |`);
  say(`| peak RSS of the collector process while walking (goal < 300 MB) | **${fmt(run.walkPeakRssMb)} MB** ${run.walkPeakRssMb < 300 ? 'OK' : 'MISSED'} | |`);
  say(`| peak RSS over the whole command (incl. CSV export) | ${fmt(run.peakRssMb)} MB ${run.peakRssMb < 300 ? 'OK' : 'MISSED'} | |`);
  say();
  say(`Load average after part 1: ${loadAfter.toFixed(1)} (2 cores: the simulator, the listing thread and the main thread compete with anything else running).`);
  say();
}

async function part2(say: Say, work: string): Promise<void> {
  const { child, info } = await startSimProcess(LATENCY_PAGES * LATENCY_PAGE_SIZE, LATENCY_MS);
  await rawFetchAll(info, (await ask<{ token: string }>(child, 'token')).token, LATENCY_PAGE_SIZE, 2); // warm the simulator
  const slow = await collectOnce(info, join(work, 'run2'), LATENCY_PAGE_SIZE, CLIENT_MODE);
  const rawS = await rawFetchAll(info, (await ask<{ token: string }>(child, 'token')).token, LATENCY_PAGE_SIZE, LATENCY_PAGES);
  await stopSimProcess(child);
  const ideal = (LATENCY_PAGES * LATENCY_MS) / 1000;
  say(`## Part 2: page latency L = ${LATENCY_MS} ms, ${LATENCY_PAGES} pages of ${fmt(LATENCY_PAGE_SIZE)} rows`);
  say();
  say('| measure | value |');
  say('|---|---|');
  say(`| pages x L | ${fmt(ideal, 2)} s |`);
  say(`| collect walk | ${fmt(slow.walkS, 2)} s = **${fmt(slow.walkS / ideal, 3)} x pages x L** (goal <= 1.1) ${slow.walkS <= 1.1 * ideal ? 'OK' : 'MISSED'} |`);
  say(`| reference: the same pages fetched one after the other, nothing parsed or stored | ${fmt(rawS, 2)} s = ${fmt(rawS / ideal, 3)} x pages x L |`);
  say(`| collect walk / sequential raw fetch | ${fmt(slow.walkS / rawS, 3)} |`);
  say(`| whole command (probe, walk, CSV, summary) | ${fmt(slow.wallS, 2)} s |`);
  say();
}

await main();
