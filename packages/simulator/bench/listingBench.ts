import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startSimulator } from '../src/index.js';
import { Library } from '../src/library/library.js';
import { renderListingPage } from '../src/listing/listingHtml.js';

const PAGE = 10_000;

interface Consumed {
  ms: number;
  bytes: number;
  /** CPU time of this (server) process meanwhile. */
  serverCpuMs: number;
}

function consume(origin: string, paths: string[], token: string): Promise<Consumed> {
  const consumer = fileURLToPath(new URL('./httpConsumer.mjs', import.meta.url));
  const before = process.cpuUsage();
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [consumer, JSON.stringify({ origin, paths, token })], { maxBuffer: 1 << 20 }, (err, stdout) => {
      if (err) return reject(err);
      const cpu = process.cpuUsage(before);
      resolve({ ...(JSON.parse(stdout) as { ms: number; bytes: number }), serverCpuMs: (cpu.user + cpu.system) / 1000 });
    });
  });
}

export interface ListingFigures {
  generationRowsPerSecond: number;
  httpRowsPerSecond: number;
  /** Rows per CPU-second of the server process: insensitive to other load on the machine. */
  httpRowsPerServerCpuSecond: number;
  staticRowsPerSecond: number;
  staticRowsPerServerCpuSecond: number;
  generationRowsPerCpuSecond: number;
  pageBytes: number;
}

/** Listing-page generation: in-process, over HTTP, and a static page of the same bytes over HTTP (ceiling). */
export async function benchListing(pages: number): Promise<ListingFigures> {
  const library = new Library({ size: 1_000_000, seed: 1, clock: Date.now, conversionDelayMs: 60_000 });
  const render = (p: number): Generator<string | Buffer> =>
    renderListingPage({
      list: '_all_books', libraryDirectory: 'Simulated', headerVariant: 'short', offset: p * PAGE, rows: PAGE,
      total: library.size, bookAt: (i) => library.listingBook(i), nextHref: `/libraries/Simulated/_all_books?result_count=${PAGE}&first=${(p + 1) * PAGE}`,
    });
  for (const _ of render(99)); // warm-up
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  let pageBytes = 0;
  for (let p = 0; p < pages; p++) for (const chunk of render(p)) pageBytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
  const generationRowsPerSecond = (pages * PAGE) / ((performance.now() - started) / 1000);
  const cpu = process.cpuUsage(cpuBefore);
  const generationRowsPerCpuSecond = (pages * PAGE) / ((cpu.user + cpu.system) / 1e6);
  pageBytes = Math.round(pageBytes / pages);

  const sim = await startSimulator({ books: 1_000_000, seed: 1 });
  const token = sim.issueAccessToken().accessToken;
  const paths = Array.from({ length: pages }, (_, p) => `/libraries/Simulated/_all_books?result_count=${PAGE}&first=${p * PAGE}`);
  await consume(sim.url, paths.slice(0, 1), token); // warm-up
  const http = await consume(sim.url, paths, token);
  await sim.close();

  const body = Buffer.concat([...render(0)].map((c) => (typeof c === 'string' ? Buffer.from(c) : c)));
  const server = createServer((_, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    let at = 0;
    const write = (): void => {
      while (at < body.length) {
        const ok = res.write(body.subarray(at, (at += 160 * 1024)));
        if (!ok) return void res.once('drain', write);
      }
      res.end();
    };
    write();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const staticRun = await consume(origin, paths, token);
  server.close();
  const rows = pages * PAGE;
  return {
    generationRowsPerSecond,
    generationRowsPerCpuSecond,
    httpRowsPerSecond: rows / (http.ms / 1000),
    httpRowsPerServerCpuSecond: rows / (http.serverCpuMs / 1000),
    staticRowsPerSecond: rows / (staticRun.ms / 1000),
    staticRowsPerServerCpuSecond: rows / (staticRun.serverCpuMs / 1000),
    pageBytes,
  };
}
