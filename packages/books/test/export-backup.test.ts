import { createReadStream, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { createWriteStream } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BOOK_COLUMNS, openCatalogue, type Catalogue } from '../src/index.js';
import { listingRow, makeTempDir, steppingClock } from './helpers.js';

let dir: string;
let cleanup: () => void;
let cat: Catalogue;
beforeEach(() => {
  ({ dir, cleanup } = makeTempDir());
  cat = openCatalogue(join(dir, 'books.db'), { now: steppingClock() });
});
afterEach(() => {
  if (cat.isOpen) cat.close();
  cleanup();
});

const NASTY_TITLES = [
  'He said "hello", then left',
  'Line one\nline two\r\nline three',
  'Commas, commas, and "quotes, inside"',
  'Ünïcödé — 日本語の本 — emoji 📚 — العربية',
  '  leading and trailing spaces  ',
  '"',
  '=SUM(A1)',
];

describe('exportCsv', () => {
  it('round-trips every column through a CSV parser (quotes, commas, newlines, non-ASCII)', async () => {
    cat.storeListingPage({
      list: 'l',
      pageNumber: 1,
      url: null,
      nextUrl: null,
      pageSize: 10,
      rows: NASTY_TITLES.map((title, i) => listingRow(`B${i}`, { title })),
    });
    const w = cat.createStatusWriter();
    w.synced('B1', { storagePath: 'raw/B1/B1.tar.gz', encryptedEtag: '"etag"', isDecrypted: true, sizeBytes: 1234 });
    w.marcExtracted('B2', { title: 'Titre, "marc"\nsuite', subjects: 'Histoire -- Économie' }, { fieldCount: 2 });
    // Not flushed: exportCsv flushes open writers first.

    const path = join(dir, 'books_export.csv');
    expect(await cat.exportCsv(path, { batchSize: 3 })).toBe(NASTY_TITLES.length);

    const text = readFileSync(path, 'utf8');
    expect(text.charCodeAt(0)).not.toBe(0xfeff);
    const records = parse(text, { relax_column_count: false }) as string[][];
    expect(records[0]).toEqual(BOOK_COLUMNS.map((c) => c.header));
    expect(records[0]?.slice(0, 3)).toEqual(['Barcode', 'Title', 'Scanned Date']);
    expect(records[0]?.[50]).toBe('Is Decrypted');
    expect(records).toHaveLength(NASTY_TITLES.length + 1);

    const books = [...cat.iterateBooks()];
    records.slice(1).forEach((record, i) => {
      const book = books[i]!;
      const expected = BOOK_COLUMNS.map((c) => {
        const value = book[c.name];
        if (c.type === 'boolean') return value ? 'TRUE' : 'FALSE';
        return value === null ? '' : String(value);
      });
      expect(record).toEqual(expected);
    });
    expect(records[2]?.[1]).toBe(NASTY_TITLES[1]);
    expect(records[4]?.[1]).toBe(NASTY_TITLES[3]);
    expect(records[2]?.[50]).toBe('TRUE');
    expect(records[1]?.[50]).toBe('FALSE');
    expect(records[2]?.[54]).toBe('1234');
    expect(records[3]?.[38]).toBe('Titre, "marc"\nsuite');
    // RFC 4180 line ends outside quoted fields.
    expect(text.split('\r\n')[0]).toBe(BOOK_COLUMNS.map((c) => c.header).join(','));
  });

  it('writes a header-only file for an empty catalogue and replaces an old export atomically', async () => {
    const path = join(dir, 'books_export.csv');
    writeFileSync(path, 'old content');
    expect(await cat.exportCsv(path)).toBe(0);
    const records = parse(readFileSync(path, 'utf8')) as string[][];
    expect(records).toEqual([BOOK_COLUMNS.map((c) => c.header)]);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('leaves no file behind when aborted', async () => {
    cat.ensureBooks(Array.from({ length: 50 }, (_, i) => `A${i}`));
    const path = join(dir, 'aborted.csv');
    const controller = new AbortController();
    controller.abort();
    await expect(cat.exportCsv(path, { signal: controller.signal, batchSize: 10 })).rejects.toThrow(/abort/i);
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('backupTo', () => {
  it('produces a readable self-contained copy, plain and gzipped', async () => {
    cat.storeListingPage({
      list: 'l',
      pageNumber: 1,
      url: null,
      nextUrl: 'next',
      pageSize: 2,
      rows: [listingRow('A'), listingRow('B', { title: 'Ünïcödé' })],
    });
    // Events still pending in an open writer are flushed into the backup.
    const w = cat.createStatusWriter();
    w.synced('A', { storagePath: 'p', encryptedEtag: 'e', isDecrypted: true });
    w.checked('B', { etag: 'pending' });

    const plain = await cat.backupTo(join(dir, 'backup.db'));
    expect(plain.gzip).toBe(false);
    expect(plain.bytes).toBeGreaterThan(0);
    const copy = openCatalogue(plain.path, { readonly: true });
    expect(copy.countBooks()).toBe(2);
    expect(copy.getBook('B')?.title).toBe('Ünïcödé');
    expect(copy.syncedEtag('A')).toBe('e');
    expect(copy.getBook('B')?.sync_status).toBe('checked');
    expect(w.pending).toBe(0);
    expect(copy.getListingCursor('l')?.nextUrl).toBe('next');
    copy.close();
    expect(existsSync(`${plain.path}-wal`)).toBe(false);

    const gz = await cat.backupTo(join(dir, 'books_latest.db.gz'), { gzip: true });
    expect(gz.gzip).toBe(true);
    expect(readFileSync(gz.path).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    const unzipped = join(dir, 'unzipped.db');
    await pipeline(createReadStream(gz.path), createGunzip(), createWriteStream(unzipped));
    const fromGz = openCatalogue(unzipped, { readonly: true });
    expect(fromGz.countBooks()).toBe(2);
    fromGz.close();
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
