import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalogue } from '@grin/books';
import {
  collectInProcess,
  makeTempDir,
  readBooks,
  readCursor,
  runDir,
  spawnCollect,
  waitUntil,
  type SpawnedCollect,
} from './helpers/run-collect.js';
import { listingSettled, pageMark, pagesSince, startTestGrin, type TestGrin } from './helpers/simulated-grin.js';

const BOOKS = 16_000;
const PAGE = 2_000;
const PAGES = BOOKS / PAGE;

let grin: TestGrin;
let temp: { dir: string; cleanup: () => void };
beforeAll(async () => {
  grin = await startTestGrin({ books: BOOKS });
  temp = makeTempDir();
});
afterAll(async () => {
  await grin.close();
  temp.cleanup();
});

const args = (run: string): string[] => [...grin.args, '--run-name', run, '--page-size', String(PAGE)];

/** Every column except the bookkeeping timestamps, in barcode order. */
function allValues(db: string): Record<string, unknown>[] {
  const cat = openCatalogue(db, { readonly: true });
  try {
    return [...cat.iterateBooks()]
      .map(({ created_at: _c, updated_at: _u, ...rest }) => rest as Record<string, unknown>)
      .sort((a, b) => String(a['barcode']).localeCompare(String(b['barcode'])));
  } finally {
    cat.close();
  }
}

/** Rows in books.db; 0 while the schema was never committed (killed inside the first migration). */
function storedRows(db: string): number {
  try {
    return readBooks(db).length;
  } catch (error) {
    if (/schema version 0/.test((error as Error).message)) return 0;
    throw error;
  }
}

/** Waits for `predicate` while the process runs; fails if it ended first (the kill point was missed). */
async function whileRunning(proc: SpawnedCollect, predicate: () => boolean): Promise<void> {
  let exited = false;
  void proc.exited.then(() => (exited = true));
  await waitUntil(() => {
    if (exited) throw new Error(`collector exited before the kill point:\n${proc.stdout()}\n${proc.stderr()}`);
    return predicate();
  }, 60_000, 1);
}

describe('crash safety: SIGKILL at many points, then resume', () => {
  it('loses nothing, repeats no committed page, and ends equal to an uninterrupted run', async () => {
    const dir = runDir(temp.dir, 'crash');
    const db = join(dir, 'books.db');
    const committed = (): number => readCursor(db)?.pageNumber ?? 0;
    let before = 0;
    const log: string[] = [];

    const killAt = async (point: string, trigger: (proc: SpawnedCollect) => Promise<void>): Promise<void> => {
      await waitUntil(() => listingSettled(grin.sim));
      const mark = pageMark(grin.sim);
      const proc = spawnCollect(args('crash'), temp.dir);
      await trigger(proc);
      proc.child.kill('SIGKILL');
      expect((await proc.exited).signal).toBe('SIGKILL');
      grin.gate.release();
      await waitUntil(() => listingSettled(grin.sim));
      const requested = pagesSince(grin.sim, mark);
      // No page whose transaction had committed is fetched again...
      expect(requested.filter((p) => p <= before), `${point}: refetched committed pages`).toEqual([]);
      // ...and the database holds exactly the committed pages, complete.
      const now = committed();
      expect(now).toBeGreaterThanOrEqual(before);
      expect(storedRows(db), point).toBe(now * PAGE);
      log.push(`${point}: requested ${JSON.stringify(requested)}, committed ${before} -> ${now}`);
      before = now;
    };

    // 1. During start-up / schema migration: as soon as books.db appears.
    await killAt('startup', (proc) => whileRunning(proc, () => existsSync(db)));

    // 2. Mid page: the next page was requested, so the page in hand is being stored right now.
    await killAt('mid-page store', async () => {
      grin.gate.hold();
      await grin.gate.held();
      grin.gate.release();
      grin.gate.hold();
      await grin.gate.held();
    });

    // 3. Right after a commit: the cursor just moved.
    await killAt('right after a commit', (proc) => whileRunning(proc, () => committed() > before));

    // 4. Between pages: page committed, progress.json written, the next page held on the server.
    await killAt('between pages', async (proc) => {
      grin.gate.hold();
      await grin.gate.held();
      grin.gate.release();
      grin.gate.hold();
      await grin.gate.held();
      const target = before + 1;
      await whileRunning(proc, () => {
        if (committed() < target) return false;
        const progress = JSON.parse(readFileSync(join(dir, 'progress.json'), 'utf8'));
        return progress.pagination_state?.current_page === target;
      });
    });

    // 5. Mid fetch: the body of a page is trickling in.
    expect(before).toBeLessThanOrEqual(PAGES - 3);
    const dripPage = before + 2;
    grin.sim.setFaults([{ endpoint: 'listing', kind: 'slow-drip', bytesPerSecond: 20_000, times: 1, match: { pageNumber: dripPage } }]);
    // Killed once the page before it is committed and the collector waits for the trickling body.
    await killAt('mid fetch', (proc) =>
      whileRunning(
        proc,
        () => grin.sim.requestLog().some((r) => r.endpoint === 'listing' && r.faults.includes('slow-drip')) && committed() === dripPage - 1,
      ),
    );
    grin.sim.setFaults([]);
    expect(before).toBe(dripPage - 1);

    // 6. During the final export: the CSV's temp file exists.
    await killAt('during export', (proc) =>
      whileRunning(proc, () => readdirSync(dir).some((n) => n.startsWith('.books_export.csv.') && n.endsWith('.tmp'))),
    );
    expect(before).toBe(PAGES);

    // The last run finds the listing complete, fetches nothing and redoes the export.
    await waitUntil(() => listingSettled(grin.sim));
    const mark = pageMark(grin.sim);
    const last = spawnCollect(args('crash'), temp.dir);
    expect((await last.exited).code, last.stderr()).toBe(0);
    expect(last.stderr()).toMatch(/already collected completely/);
    expect(pagesSince(grin.sim, mark)).toEqual([]);
    expect(parse(readFileSync(join(dir, 'books_export.csv')), { columns: true }).length).toBe(BOOKS);

    // Same rows and values as an uninterrupted run, no duplicates.
    const reference = await collectInProcess(args('reference'), temp.dir);
    expect(reference.code).toBe(0);
    const crashed = allValues(db);
    expect(crashed.length).toBe(BOOKS);
    expect(new Set(crashed.map((b) => b['barcode'])).size).toBe(BOOKS);
    expect(crashed).toEqual(allValues(join(runDir(temp.dir, 'reference'), 'books.db')));

    const cat = openCatalogue(db, { readonly: true });
    const sessions = cat.listSessions('collect');
    const cursor = cat.getListingCursor('_all_books');
    cat.close();
    expect(sessions.at(-1)?.status).toBe('completed');
    expect(sessions.slice(0, -1).every((s) => s.status === 'interrupted')).toBe(true);
    expect(cursor).toMatchObject({ rowsSeen: BOOKS, rowsInserted: BOOKS, rowsUnchanged: 0, pagesStored: PAGES });
    console.log(log.join('\n'));
  });
});
