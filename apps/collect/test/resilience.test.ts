import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProtocolError } from '@grin/client';
import { collectInProcess, makeTempDir, readBooks, readCursor, runDir, waitUntil } from './helpers/run-collect.js';
import { expectedLibrary, listingSettled, pageMark, pagesSince, startTestGrin, type TestGrin } from './helpers/simulated-grin.js';

const BOOKS = 2_500;
const PAGE = 500;

let temp: { dir: string; cleanup: () => void };
const closers: (() => Promise<void>)[] = [];
beforeEach(() => {
  temp = makeTempDir();
});
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  temp.cleanup();
});

async function grinWith(options: Parameters<typeof startTestGrin>[0]): Promise<TestGrin> {
  const grin = await startTestGrin({ books: BOOKS, ...options });
  closers.push(() => grin.close());
  return grin;
}

const args = (grin: TestGrin, run: string, ...more: string[]): string[] => [
  ...grin.args, '--run-name', run, '--page-size', String(PAGE), ...more,
];

function expectEqualToLibrary(grin: TestGrin, db: string): void {
  const expected = [...expectedLibrary(grin.sim).values()].sort((a, b) => a.barcode.localeCompare(b.barcode));
  expect(readBooks(db)).toEqual(expected);
}

/** An HTTP proxy in front of the simulator that replaces chosen listing pages by other HTML. */
async function startMangler(target: string, replace: (url: URL) => string | null): Promise<{ baseUrl: string }> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', target);
    const body = replace(url);
    if (body !== null) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(body);
      return;
    }
    fetch(new URL(req.url ?? '/', target), {
      headers: { authorization: req.headers.authorization ?? '' },
      redirect: 'manual',
    })
      .then(async (upstream) => {
        const bytes = Buffer.from(await upstream.arrayBuffer());
        res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'text/plain' });
        res.end(bytes);
      })
      .catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/libraries/` };
}

describe('collect under faults', () => {
  it('completes with identical results under 429, 503, resets, truncation and "request unavailable"', async () => {
    const grin = await grinWith({
      faults: [
        { endpoint: 'listing', kind: 'status-429', times: 2, match: { pageNumber: 1 } },
        { endpoint: 'listing', kind: 'status-503', times: 1, match: { pageNumber: 2 } },
        { endpoint: 'listing', kind: 'reset-mid-body', times: 1, match: { pageNumber: 3 } },
        { endpoint: 'listing', kind: 'unavailable-page', times: 2, match: { pageNumber: 4 } },
        { endpoint: 'listing', kind: 'truncate-body', times: 1, match: { pageNumber: 5 } },
        { endpoint: 'probe', kind: 'status-503', times: 1 },
      ],
    });
    const run = await collectInProcess(args(grin, 'faults'), temp.dir);
    expect(run.error).toBeNull();
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/retrying in/);
    expectEqualToLibrary(grin, join(runDir(temp.dir, 'faults'), 'books.db'));
    const applied = grin.sim.stats().faultsApplied;
    expect(applied).toMatchObject({ 'status-429': 2, 'status-503': 2, 'reset-mid-body': 1, 'unavailable-page': 2, 'truncate-body': 1 });
  });

  it('fails on a malformed page with an error naming the page, keeping what was stored; a rerun completes', async () => {
    const grin = await grinWith({});
    const proxy = await startMangler(grin.sim.url, (url) =>
      url.pathname.endsWith('/_all_books') && url.searchParams.get('first') === String(2 * PAGE)
        ? '<html><body><h1>Maintenance</h1><table><tr><td>nothing here</td></tr></table></body></html>'
        : null,
    );
    const viaProxy = [...args(grin, 'malformed')];
    viaProxy[viaProxy.indexOf('--grin-url') + 1] = proxy.baseUrl;
    const failed = await collectInProcess(viaProxy, temp.dir);
    expect(failed.error).toBeInstanceOf(ProtocolError);
    expect(failed.error?.message).toMatch(/page 3/);
    expect(failed.exitCode).toBe(7);
    expect(failed.stderr).toMatch(/resume with:/);
    const dir = runDir(temp.dir, 'malformed');
    expect(readBooks(join(dir, 'books.db')).length).toBe(2 * PAGE);
    expect(readCursor(join(dir, 'books.db'))?.pageNumber).toBe(2);
    const progress = JSON.parse(readFileSync(join(dir, 'progress.json'), 'utf8'));
    expect(progress.state).toBe('failed');
    expect(progress.current_status).toMatchObject({ failed: 1, new: 2 * PAGE });
    expect(progress.current_status.last_error).toMatch(/page 3/);
    const summary = JSON.parse(readFileSync(join(dir, 'process_summary.json'), 'utf8'));
    expect(summary.stages.collect).toMatchObject({ status: 'failed', failures: 1 });
    expect(parse(readFileSync(join(dir, 'books_export.csv')), { columns: true }).length).toBe(2 * PAGE);

    const mark = pageMark(grin.sim);
    const rerun = await collectInProcess(args(grin, 'malformed'), temp.dir);
    expect(rerun.code).toBe(0);
    expect(pagesSince(grin.sim, mark)).toEqual([3, 4, 5]);
    expectEqualToLibrary(grin, join(dir, 'books.db'));
  });
});

describe('expired cursors', () => {
  it('restarts from page 1 when GRIN rejects a cursor mid-walk, with the same final result', async () => {
    const grin = await grinWith({
      nextLinkStyle: 'ctoken',
      faults: [{ endpoint: 'listing', kind: 'expired-cursor', times: 1, match: { pageNumber: 3 } }],
    });
    const run = await collectInProcess(args(grin, 'expired'), temp.dir);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/starting _all_books again from page 1/);
    expect(pagesSince(grin.sim)).toEqual([1, 2, 3, 1, 2, 3, 4, 5]);
    const db = join(runDir(temp.dir, 'expired'), 'books.db');
    expectEqualToLibrary(grin, db);
    // The new walk saw pages 1-2 again (rows kept, counted unchanged) and inserted the rest.
    expect(readCursor(db)).toMatchObject({ rowsSeen: BOOKS, rowsInserted: BOOKS - 2 * PAGE, rowsUnchanged: 2 * PAGE });
  });

  it('restarts from page 1 when the saved cursor expired between sessions', async () => {
    let now = Date.now();
    const grin = await grinWith({ nextLinkStyle: 'ctoken', cursorLifetimeMs: 60_000, clock: () => now });
    const first = await collectInProcess(args(grin, 'stale', '--limit', String(2 * PAGE)), temp.dir);
    expect(first.code).toBe(0);
    now += 10 * 60_000; // the saved ctoken is now ten minutes old
    const mark = pageMark(grin.sim);
    const second = await collectInProcess(args(grin, 'stale'), temp.dir);
    expect(second.code).toBe(0);
    expect(second.stderr).toMatch(/rejected the saved pagination link/);
    // The saved page-3 link is refused (400; the simulator cannot decode an expired token, so it
    // logs it as page 1), then the walk starts again from page 1.
    const served = grin.sim.stats().listingPages.slice(mark);
    expect(served.map((p) => p.status)).toEqual([400, 200, 200, 200, 200, 200]);
    expect(served.slice(1).map((p) => p.pageNumber)).toEqual([1, 2, 3, 4, 5]);
    expectEqualToLibrary(grin, join(runDir(temp.dir, 'stale'), 'books.db'));
  });
});

describe('Ctrl-C', () => {
  it('finishes the page in hand, saves, prints the resume command, exits 130; the rerun resumes', async () => {
    const grin = await grinWith({});
    const signals = new EventEmitter();
    grin.gate.hold();
    const running = collectInProcess(args(grin, 'sigint'), temp.dir, { signals });
    await grin.gate.held(); // page 1 is on the server
    grin.gate.release();
    grin.gate.hold();
    await grin.gate.held(); // page 2 requested: page 1 was handed to the collector
    signals.emit('SIGINT');
    grin.gate.release();
    const run = await running;
    expect(run.code).toBe(130);
    expect(run.stderr).toMatch(/finishing the page in hand/);
    expect(run.stderr).toContain(
      `Resume with:\n  pnpm run collect -- --library-directory Simulated --run-name sigint --page-size ${PAGE} --grin-url ${grin.sim.grinBaseUrl}`,
    );
    const db = join(runDir(temp.dir, 'sigint'), 'books.db');
    expect(readCursor(db)?.pageNumber).toBe(1);
    const progress = JSON.parse(readFileSync(join(runDir(temp.dir, 'sigint'), 'progress.json'), 'utf8'));
    expect(progress.state).toBe('interrupted');

    await waitUntil(() => listingSettled(grin.sim));
    const mark = pageMark(grin.sim);
    const resumed = await collectInProcess(args(grin, 'sigint'), temp.dir);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(/Resumed \(session #2\)/);
    expect(resumed.stderr).toMatch(/resuming after 500 already done/);
    expect(pagesSince(grin.sim, mark)).toEqual([2, 3, 4, 5]);
    expectEqualToLibrary(grin, db);
    const again = JSON.parse(readFileSync(join(runDir(temp.dir, 'sigint'), 'progress.json'), 'utf8'));
    expect(again).toMatchObject({ resume_count: 1, counts: { all_sessions: { new: BOOKS } } });
  });
});
