import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CatalogueUnreadableError, openCatalogue, openCatalogueSnapshot } from '../src/index.js';
import { killAndWait, listingRow, makeTempDir, spawnFixture, waitForLine } from './helpers.js';

let dir: string;
let cleanup: () => void;
let runDir: string;
let tmpDir: string;
let dbPath: string;
beforeEach(() => {
  ({ dir, cleanup } = makeTempDir());
  runDir = join(dir, 'output', 'run');
  tmpDir = join(dir, 'tmp');
  mkdirSync(runDir, { recursive: true });
  mkdirSync(tmpDir);
  dbPath = join(runDir, 'books.db');
});
afterEach(() => cleanup());

/** Every file of the directory with size, content hash and mtime: "untouched" means equal. */
function dirState(path: string, except: string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(path).sort()) {
    if (except.includes(name)) continue;
    const p = join(path, name);
    const st = statSync(p);
    out[name] = `${st.size}:${createHash('sha256').update(readFileSync(p)).digest('hex')}:${st.mtimeMs}`;
  }
  return out;
}

function writeCatalogue(barcodes: string[]): void {
  const cat = openCatalogue(dbPath);
  cat.storeListingPage({ list: 'l', pageNumber: 1, url: null, nextUrl: null, pageSize: barcodes.length, rows: barcodes.map((b) => listingRow(b)) });
  cat.close();
}

describe('openCatalogueSnapshot', () => {
  it('reads a closed catalogue without creating or changing anything in the run directory', async () => {
    writeCatalogue(['B1', 'B2']);
    const before = dirState(runDir);
    expect(Object.keys(before)).toEqual(['books.db']);

    const snap = await openCatalogueSnapshot(dbPath, { tmpDir });
    expect(snap.readonly).toBe(true);
    expect(snap.countBooks()).toBe(2);
    expect(snap.getBook('B2')?.title).toBe('Title B2');
    expect(() => snap.ensureBooks(['B3'])).toThrow(/readonly/i);
    expect(dirState(runDir)).toEqual(before);
    expect(readdirSync(tmpDir)).toEqual([expect.stringMatching(new RegExp(`^grin-catalogue-${process.pid}-`))]);
    snap.close();
    expect(dirState(runDir)).toEqual(before);
    expect(readdirSync(tmpDir)).toEqual([]);
  });

  it('(the limit it avoids) a plain read-only open of the same catalogue leaves -wal and -shm behind', () => {
    writeCatalogue(['B1']);
    const reader = openCatalogue(dbPath, { readonly: true });
    expect(reader.countBooks()).toBe(1);
    reader.close();
    expect(readdirSync(runDir).sort()).toEqual(['books.db', 'books.db-shm', 'books.db-wal']);
  });

  it('takes a consistent point-in-time copy while another process is writing', async () => {
    writeCatalogue(['B1']);
    const writer = spawnFixture('hold-writes.ts', [dbPath, '50']);
    try {
      await waitForLine(writer, (l) => l === 'STORED');
      expect(readdirSync(runDir).sort()).toEqual(['books.db', 'books.db-shm', 'books.db-wal']);
      // The -shm is SQLite's shared index: every reader takes a read mark in it.
      const before = dirState(runDir, ['books.db-shm']);
      const snap = await openCatalogueSnapshot(dbPath, { tmpDir });
      try {
        expect(snap.countBooks()).toBe(51); // B1 + the writer's committed rows, still only in its WAL
        expect(readdirSync(runDir).sort()).toEqual(['books.db', 'books.db-shm', 'books.db-wal']);
        expect(dirState(runDir, ['books.db-shm'])).toEqual(before);
        // Later writes are not in the snapshot.
        const other = openCatalogue(dbPath);
        other.ensureBooks(['LATER']);
        other.close();
        expect(snap.getBook('LATER')).toBeUndefined();
      } finally {
        snap.close();
      }
    } finally {
      await killAndWait(writer);
    }
    expect(readdirSync(tmpDir)).toEqual([]);
  });

  it('includes what a killed writer committed to its WAL, and leaves its files as they are', async () => {
    writeCatalogue(['B1']);
    const writer = spawnFixture('hold-writes.ts', [dbPath, '20']);
    await waitForLine(writer, (l) => l === 'STORED');
    await killAndWait(writer);
    const before = dirState(runDir, ['books.db-shm']);
    expect(Object.keys(before)).toEqual(['books.db', 'books.db-wal']);
    const snap = await openCatalogueSnapshot(dbPath, { tmpDir });
    expect(snap.countBooks()).toBe(21);
    snap.close();
    expect(dirState(runDir, ['books.db-shm'])).toEqual(before);
    expect(readdirSync(runDir).sort()).toEqual(['books.db', 'books.db-shm', 'books.db-wal']);
  });

  it('removes copies left by dead processes, keeps those of live ones, and fails cleanly on a missing catalogue', async () => {
    const dead = join(tmpDir, 'grin-catalogue-99999999-abc123');
    const live = join(tmpDir, 'grin-catalogue-1-def456');
    mkdirSync(dead);
    mkdirSync(live);
    await expect(openCatalogueSnapshot(join(runDir, 'missing.db'), { tmpDir })).rejects.toBeInstanceOf(CatalogueUnreadableError);
    expect(readdirSync(tmpDir)).toEqual(['grin-catalogue-1-def456']);
    expect(readdirSync(runDir)).toEqual([]);
  });
});
