import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalogue } from '@grin/books';
import { checkExtracted } from '../helpers/extraction-check.js';
import { checkRunRecords } from '../helpers/run-records-check.js';
import { checkLocalSynced, listFiles, startHarness, type Harness } from '../helpers/sync-harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ books: 80 });
}, 60_000);

afterAll(async () => {
  await h?.close();
});

const local = (dir: string): string[] => ['--storage', 'local', '--storage-path', dir];

describe('extraction beside the store (local storage, through the CLI)', { timeout: 90_000 }, () => {
  it('MARC columns equal the simulator\'s record, the OCR JSONL holds its pages in order under full/RUN/, the staging area is left empty', async () => {
    const barcodes = h.converted(5);
    const storage = join(h.workDir, 'store-ex');
    const run = await h.run(['--run-name', 'ex', '--barcodes', barcodes.join(','), ...h.grinArgs, ...local(storage)]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('5 synced');
    let pages = 0;
    for (const b of barcodes) pages += (await h.sim.library.archive(b)).ocrPages.length;
    expect(run.stdout).toContain(`extracted: 5 MARC records; 5 OCR files (${pages} pages)`);
    expect(await checkLocalSynced(h, 'ex', storage, barcodes)).toEqual([]);
    expect(await checkExtracted(h, 'ex', { kind: 'local', storageDir: storage }, barcodes)).toEqual([]);
    expect((await listFiles(join(storage, 'full'))).sort()).toEqual(barcodes.map((b) => `ex/${b}_ocr.jsonl.gz`).sort());
    expect(await readdir(join(h.runDir('ex'), 'staging'))).toEqual([]);
    const records = await checkRunRecords(h, 'ex', storage);
    expect(records.problems).toEqual([]);
    expect(records.records?.summary.stages['sync']?.by_reason['marc']).toEqual({ extracted: 5 });
    expect(records.records?.summary.stages['sync']?.by_reason['ocr']).toEqual({ extracted: 5, pages });
    // A rerun skips them all and extracts nothing again.
    const again = await h.run(['--run-name', 'ex', '--barcodes', barcodes.join(','), ...h.grinArgs]);
    expect(again.stdout).toContain('0 synced, 5 skipped (etag_match 5)');
    expect(again.stdout).toContain('extracted: 0 MARC records; 0 OCR files (0 pages)');
  });

  it('--skip-compression-full stores BARCODE_ocr.jsonl; --skip-extract-ocr / --skip-extract-marc turn each stage off; both off = no extraction at all', async () => {
    const [a, b, c, d] = h.converted(9).slice(5) as [string, string, string, string];
    const storage = join(h.workDir, 'store-flags');
    const go = async (runName: string, barcode: string, flags: string[]) => {
      const r = await h.run(['--run-name', runName, '--barcodes', barcode, ...h.grinArgs, ...local(storage), ...flags]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('1 synced');
      return r;
    };
    await go('plain', a, ['--skip-compression-full']);
    expect(await checkExtracted(h, 'plain', { kind: 'local', storageDir: storage }, [a], { compressed: false })).toEqual([]);
    expect(existsSync(join(storage, 'full', 'plain', `${a}_ocr.jsonl`))).toBe(true);

    await go('noocr', b, ['--skip-extract-ocr']);
    expect(await checkExtracted(h, 'noocr', { kind: 'local', storageDir: storage }, [b], { ocr: false })).toEqual([]);

    const nomarc = await go('nomarc', c, ['--skip-extract-marc']);
    expect(await checkExtracted(h, 'nomarc', { kind: 'local', storageDir: storage }, [c], { marc: false })).toEqual([]);
    expect(nomarc.stdout).toContain('extracted: 0 MARC records; 1 OCR file');

    const none = await go('none', d, ['--skip-extract-marc', '--skip-extract-ocr']);
    expect(none.stdout).not.toContain('extracted:');
    expect(await checkExtracted(h, 'none', { kind: 'local', storageDir: storage }, [d], { marc: false, ocr: false })).toEqual([]);
    expect(existsSync(join(h.runDir('none'), 'staging'))).toBe(false);

    const usage = await h.run(['--run-name', 'x', '--barcodes', d, '--skip-extract-ocr', '--skip-compression-full']);
    expect(usage.code).toBe(2);
  });

  it('a volume whose OCR upload fails is not synced, keeps its stored archive, and is completed from storage by the next run (no download)', async () => {
    const [ok, blocked] = h.converted(11).slice(9) as [string, string];
    const storage = join(h.workDir, 'store-ocrfail');
    // A directory where the OCR file must go: the atomic rename onto it fails.
    await mkdir(join(storage, 'full', 'ocrfail', `${blocked}_ocr.jsonl.gz`), { recursive: true });
    await writeFile(join(storage, 'full', 'ocrfail', `${blocked}_ocr.jsonl.gz`, 'keep'), 'x');
    const args = ['--run-name', 'ocrfail', '--barcodes', `${ok},${blocked}`, ...h.grinArgs, ...local(storage)];
    const first = await h.run(args);
    expect(first.code).toBe(1);
    expect(first.stdout).toContain('1 synced, 0 skipped, 0 not available on GRIN, 1 failed');
    expect(first.stdout).toContain(`${blocked} (extract)`);
    let catalogue = openCatalogue(join(h.runDir('ocrfail'), 'books.db'), { readonly: true });
    try {
      expect(catalogue.isSynced(blocked)).toBe(false);
      expect(catalogue.latestStatus(blocked, 'text_extraction')).toMatchObject({ statusValue: 'failed' });
    } finally {
      catalogue.close();
    }
    expect(existsSync(join(storage, 'raw', blocked, `${blocked}.tar.gz`))).toBe(true);

    await rm(join(storage, 'full', 'ocrfail', `${blocked}_ocr.jsonl.gz`), { recursive: true });
    const seq = h.seq();
    const second = await h.run(args);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('1 synced, 1 skipped (etag_match 1)');
    expect(second.stdout).toContain('1 read back from storage for extraction');
    expect(h.downloads(seq).size).toBe(0);
    expect(await checkExtracted(h, 'ocrfail', { kind: 'local', storageDir: storage }, [ok, blocked])).toEqual([]);
    catalogue = openCatalogue(join(h.runDir('ocrfail'), 'books.db'), { readonly: true });
    try {
      expect(catalogue.latestStatus(blocked, 'sync')).toMatchObject({ statusValue: 'synced', metadata: { reconciled_from_storage: true } });
    } finally {
      catalogue.close();
    }
  });

  it('a volume whose archive cannot be committed is failed and leaves no OCR file and no extraction record', async () => {
    const [ok, blocked] = h.converted(16).slice(14) as [string, string];
    const storage = join(h.workDir, 'store-commitfail');
    // A directory where the archive must go: its atomic rename fails on every attempt, after the
    // extraction of the (verified) plaintext already ended. Its OCR file belongs to no synced
    // volume, so it must not be in full/ (an OCR upload started beside the commit would have to be
    // removed again).
    const rawPath = join(storage, 'raw', blocked, `${blocked}.tar.gz`);
    await mkdir(rawPath, { recursive: true });
    await writeFile(join(rawPath, 'keep'), 'x');
    const run = await h.run(['--run-name', 'commitfail', '--barcodes', `${ok},${blocked}`, ...h.grinArgs, ...local(storage)]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('1 synced, 0 skipped, 0 not available on GRIN, 1 failed');
    expect(run.stdout).toContain(`${blocked} (store)`);
    expect(await listFiles(join(storage, 'full'))).toEqual([`commitfail/${ok}_ocr.jsonl.gz`]);
    const catalogue = openCatalogue(join(h.runDir('commitfail'), 'books.db'), { readonly: true });
    try {
      expect(catalogue.isSynced(blocked)).toBe(false);
      expect(catalogue.latestStatus(blocked, 'text_extraction')).toBeUndefined();
      expect(catalogue.storedOcrLocation(blocked)).toBeNull();
    } finally {
      catalogue.close();
    }
  });

  it('syncing a volume again with the other --skip-compression-full setting replaces its OCR file; a file that cannot be removed is a warning', async () => {
    const [barcode] = h.converted(14).slice(13) as [string];
    const storage = join(h.workDir, 'store-resync');
    const args = ['--run-name', 'resync', '--barcodes', barcode, ...h.grinArgs, ...local(storage)];
    const ocrFiles = async (): Promise<string[]> => (await listFiles(join(storage, 'full'))).sort();
    // The last step re-syncs with the same setting: the file just stored must stay.
    for (const [flags, compressed] of [[[], true], [['--force', '--skip-compression-full'], false], [['--force'], true], [['--force'], true]] as const) {
      const r = await h.run([...args, ...flags]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('1 synced');
      expect(await ocrFiles()).toEqual([`resync/${barcode}_ocr.jsonl${compressed ? '.gz' : ''}`]);
      expect(await checkExtracted(h, 'resync', { kind: 'local', storageDir: storage }, [barcode], { compressed })).toEqual([]);
    }
    // An earlier OCR file that cannot be removed (here a directory stands where the catalogue
    // recorded it) is a warning: the volume's new file is stored and the volume is synced.
    const earlier = join(storage, 'full', 'resync', `${barcode}_ocr.jsonl.gz`);
    await rm(earlier);
    await mkdir(earlier);
    await writeFile(join(earlier, 'keep'), 'x');
    const blocked = await h.run([...args, '--force', '--skip-compression-full']);
    expect(blocked.code, blocked.stderr).toBe(0);
    expect(blocked.stdout).toContain('1 synced');
    expect(`${blocked.stdout}${blocked.stderr}`).toContain(`warning: ${barcode}: could not remove the earlier OCR file ${earlier}`);
    expect(await ocrFiles()).toEqual([`resync/${barcode}_ocr.jsonl`, `resync/${barcode}_ocr.jsonl.gz/keep`]);
  });

  it('a stored archive damaged in place (same size) is not taken from storage: its gzip CRC fails, it is downloaded again', async () => {
    const [blocked] = h.converted(13).slice(12) as [string];
    const storage = join(h.workDir, 'store-bitrot');
    const ocrPath = join(storage, 'full', 'bitrot', `${blocked}_ocr.jsonl.gz`);
    await mkdir(ocrPath, { recursive: true });
    await writeFile(join(ocrPath, 'keep'), 'x');
    const args = ['--run-name', 'bitrot', '--barcodes', blocked, ...h.grinArgs, ...local(storage)];
    expect((await h.run(args)).code).toBe(1);
    const rawPath = join(storage, 'raw', blocked, `${blocked}.tar.gz`);
    const original = await readFile(rawPath);
    // Flip one byte inside a stored deflate block (image bytes): inflate copies it as is, so only the
    // CRC can tell. The simulator writes stored blocks after a sync flush (00 00 ff ff).
    let at = -1;
    for (let i = original.indexOf(Buffer.from([0, 0, 0xff, 0xff, 0])); i >= 0; i = original.indexOf(Buffer.from([0, 0, 0xff, 0xff, 0]), i + 1)) {
      const length = original.readUInt16LE(i + 5);
      if ((length ^ original.readUInt16LE(i + 7)) === 0xffff && length > 64 && i + 9 + length <= original.length) {
        at = i + 9 + Math.floor(length / 2);
        break;
      }
    }
    expect(at).toBeGreaterThan(0);
    const damaged = Buffer.from(original);
    damaged[at] = (damaged[at] as number) ^ 0x40;
    await writeFile(rawPath, damaged);

    await rm(ocrPath, { recursive: true });
    const seq = h.seq();
    const second = await h.run(args);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('1 synced');
    expect([...h.downloads(seq)]).toEqual([[blocked, 1]]);
    expect((await readFile(rawPath)).equals(original)).toBe(true);
    expect(await checkExtracted(h, 'bitrot', { kind: 'local', storageDir: storage }, [blocked])).toEqual([]);
  });
});
