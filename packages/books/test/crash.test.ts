import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCatalogue } from '../src/index.js';
import { killAndWait, makeTempDir, spawnFixture, waitForExit, waitForLine } from './helpers.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = makeTempDir()));
afterEach(() => cleanup());

const PAGES = 40;
const SIZE = 2000;

/** Every committed page is complete, nothing else is there, and the cursor agrees. */
function checkConsistent(path: string): number {
  const cat = openCatalogue(path, { readonly: true });
  try {
    const cursor = cat.getListingCursor('_all_books');
    const stored = cursor?.pageNumber ?? 0;
    expect(cat.countBooks()).toBe(stored * SIZE);
    if (cursor) expect(cursor.rowsInserted).toBe(stored * SIZE);
    const barcodes = [...cat.iterateBooks({ batchSize: 5000 })].map((b) => b.barcode);
    expect(barcodes).toEqual(Array.from({ length: stored * SIZE }, (_, n) => `CR${String(n).padStart(8, '0')}`));
    return stored;
  } finally {
    cat.close();
  }
}

describe('crash safety of storeListingPage (SIGKILL of a real process)', () => {
  it('loses nothing and repeats nothing across kills at different points', async () => {
    const path = join(dir, 'books.db');
    // Kill once the child reports having committed at least this page (then 15 ms later, usually
    // inside the next page's transaction).
    const killAtPage = [1, 6, 15, 28];
    let previous = 0;
    for (const target of killAtPage) {
      const child = spawnFixture('store-pages.ts', [path, String(PAGES), String(SIZE)]);
      await waitForLine(child, (l) => l === 'DONE' || (l.startsWith('PAGE ') && Number(l.slice(5)) >= target));
      await new Promise((r) => setTimeout(r, 15));
      await killAndWait(child, 'SIGKILL');
      const stored = checkConsistent(path);
      expect(stored).toBeGreaterThanOrEqual(Math.max(previous, target));
      previous = stored;
    }
    const finisher = spawnFixture('store-pages.ts', [path, String(PAGES), String(SIZE)]);
    await waitForLine(finisher, (l) => l === 'DONE');
    expect(await waitForExit(finisher)).toBe(0);
    expect(checkConsistent(path)).toBe(PAGES);

    const cat = openCatalogue(path, { readonly: true });
    const sessions = cat.listSessions('collect');
    cat.close();
    expect(sessions.at(-1)?.status).toBe('completed');
    // Session counts are written in the page transactions, so they add up to the rows stored.
    expect(sessions.reduce((sum, s) => sum + (s.counts['inserted'] ?? 0), 0)).toBe(PAGES * SIZE);
    expect(sessions.length).toBe(killAtPage.length + 1);
    expect(sessions.slice(0, -1).every((s) => s.status === 'interrupted')).toBe(true);
  });
});
