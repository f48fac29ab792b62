import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalStorage, type StorageWarning } from '../../src/storage/index.js';
import { storageContract, type ContractBackend } from './storage-contract.js';

async function readOrNull(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch {
    return null;
  }
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else out.push(p);
  }
  return out;
}

storageContract('local', async ({ computeSha256 }): Promise<ContractBackend> => {
  const dir = await mkdtemp(join(tmpdir(), 'grin-local-storage-'));
  const storage = new LocalStorage({ basePath: dir, computeSha256 });
  return {
    storage,
    readRaw: (b) => readOrNull(storage.rawLocation(b)),
    readFull: (n) => readOrNull(join(dir, 'full', ...n.split('/'))),
    readMeta: (n) => readOrNull(join(dir, 'meta', ...n.split('/'))),
    // Visible = archives at final names; sidecars and dot-temp files are not archives.
    listRaw: async () =>
      (await walk(join(dir, 'raw'))).filter((p) => p.endsWith('.tar.gz') && !p.split(sep).pop()?.startsWith('.')).sort(),
    dispose: async () => {
      await storage.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('LocalStorage specifics', () => {
  let dir: string;
  let warnings: StorageWarning[];
  let storage: LocalStorage;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'grin-local-storage-'));
    warnings = [];
    storage = new LocalStorage({ basePath: dir, onWarning: (w) => warnings.push(w) });
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const meta = { encryptedEtag: 'E1', acquisitionDate: '2024-05-01T12:00:00', originalFilename: 'B1.tar.gz.gpg' };

  it('uses the reference 6.5 layout and writes a sidecar with the metadata (no digest by default)', async () => {
    const p = await storage.beginRaw('B1', meta);
    p.stream.end(Buffer.from('archive bytes'));
    const stored = await p.commit();
    expect(relative(dir, stored.location)).toBe(join('raw', 'B1', 'B1.tar.gz'));
    const sidecar = JSON.parse(await readFile(`${stored.location}.meta.json`, 'utf8')) as Record<string, unknown>;
    expect(sidecar).toMatchObject({
      version: 1,
      barcode: 'B1',
      encrypted_etag: 'E1',
      acquisition_date: meta.acquisitionDate,
      original_filename: 'B1.tar.gz.gpg',
      size: 13,
    });
    expect(sidecar).not.toHaveProperty('sha256');
    expect(await storage.statRaw('B1')).toEqual({ size: 13, encryptedEtag: 'E1', location: stored.location });
    expect((await readdir(join(dir, 'raw', 'B1'))).sort()).toEqual(['B1.tar.gz', 'B1.tar.gz.meta.json']);
  });

  it('records the SHA-256 in the sidecar when created with computeSha256', async () => {
    const hashing = new LocalStorage({ basePath: dir, computeSha256: true });
    const p = await hashing.beginRaw('B1', meta);
    p.stream.end(Buffer.from('archive bytes'));
    const stored = await p.commit();
    const digest = createHash('sha256').update('archive bytes').digest('hex');
    expect(stored.sha256).toBe(digest);
    expect(await hashing.readRawSidecar('B1')).toMatchObject({ size: 13, encrypted_etag: 'E1', sha256: digest });
    expect(await hashing.statRaw('B1')).toEqual({ size: 13, encryptedEtag: 'E1', location: stored.location });
  });

  it('writes to a dot-temp file in the same directory while in progress, never the final path', async () => {
    const p = await storage.beginRaw('B2', meta);
    await new Promise<void>((resolve, reject) => p.stream.write(randomBytes(1000), (e) => (e ? reject(e) : resolve())));
    const names = await readdir(join(dir, 'raw', 'B2'));
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(new RegExp(`^\\.B2\\.tar\\.gz\\.${process.pid}-[0-9a-f]+\\.partial$`));
    await p.abort();
    // The empty per-barcode directory goes too.
    await expect(stat(join(dir, 'raw', 'B2'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('an archive without sidecar is present with unknown etag; a sidecar for other bytes is ignored', async () => {
    await mkdir(join(dir, 'raw', 'B3'), { recursive: true });
    await writeFile(join(dir, 'raw', 'B3', 'B3.tar.gz'), 'abc');
    expect(await storage.statRaw('B3')).toEqual({ size: 3, encryptedEtag: null, location: storage.rawLocation('B3') });
    await writeFile(join(dir, 'raw', 'B3', 'B3.tar.gz.meta.json'), JSON.stringify({ encrypted_etag: 'E', size: 99 }));
    expect(await storage.statRaw('B3')).toMatchObject({ size: 3, encryptedEtag: null });
    await writeFile(join(dir, 'raw', 'B3', 'B3.tar.gz.meta.json'), '{not json');
    expect(await storage.statRaw('B3')).toMatchObject({ encryptedEtag: null });
    // A sidecar alone (archive missing) does not make the archive present.
    await rm(join(dir, 'raw', 'B3', 'B3.tar.gz'));
    expect(await storage.statRaw('B3')).toBeNull();
  });

  it('removes stale temp files of dead processes on the next write, keeps live ones', async () => {
    const bdir = join(dir, 'raw', 'B4');
    await mkdir(bdir, { recursive: true });
    // PID far above pid_max: certainly not running.
    const dead = join(bdir, '.B4.tar.gz.99999999-abc123.partial');
    const deadSidecar = join(bdir, '.B4.tar.gz.meta.json.99999999-abc124.tmp');
    const live = join(bdir, '.B4.tar.gz.1-abc125.partial'); // pid 1 is always alive
    for (const f of [dead, deadSidecar, live]) await writeFile(f, 'junk');
    expect(await storage.statRaw('B4')).toBeNull();
    const p = await storage.beginRaw('B4', meta);
    p.stream.end(Buffer.from('new'));
    await p.commit();
    const names = (await readdir(bdir)).sort();
    expect(names).toEqual(['.B4.tar.gz.1-abc125.partial', 'B4.tar.gz', 'B4.tar.gz.meta.json']);
    expect(warnings.map((w) => w.code)).toEqual(['stale_temp_removed', 'stale_temp_removed']);
  });

  it('sweeps stale temp files of full/ and meta/ at start-up; a raw one goes with the next write of its volume', async () => {
    const p = await storage.beginRaw('B7', meta);
    p.stream.end(Buffer.from('kept'));
    await p.commit();
    const active = await storage.beginRaw('B8', meta);
    active.stream.write(Buffer.from('in progress'));
    const stale = [
      join(dir, 'raw', 'B9', '.B9.tar.gz.99999999-aa.partial'),
      join(dir, 'full', '.B9_ocr.jsonl.gz.99999999-bb.partial'),
      join(dir, 'meta', 'timestamped', '.x.csv.gz.99999999-cc.partial'),
    ];
    for (const f of stale) {
      await mkdir(join(f, '..'), { recursive: true });
      await writeFile(f, 'junk');
    }
    const removed = await storage.sweepStaleTemps();
    expect(removed.sort()).toEqual(stale.slice(1).sort());
    expect(await readdir(join(dir, 'raw', 'B7'))).toHaveLength(2);
    expect(await readdir(join(dir, 'raw', 'B8'))).toHaveLength(1);
    expect(await readdir(join(dir, 'raw', 'B9'))).toEqual(['.B9.tar.gz.99999999-aa.partial']);
    const again = await storage.beginRaw('B9', meta);
    expect(await readdir(join(dir, 'raw', 'B9'))).not.toContain('.B9.tar.gz.99999999-aa.partial');
    await again.abort();
    await active.abort();
  });

  it('does not sweep the temp file of a writer that is still active in this process', async () => {
    const p1 = await storage.beginRaw('B5', meta);
    p1.stream.write(Buffer.from('first writer'));
    const p2 = await storage.beginRaw('B5', { ...meta, encryptedEtag: 'E2' });
    p2.stream.end(Buffer.from('second'));
    await p2.commit();
    p1.stream.end();
    const stored = await p1.commit();
    expect((await readFile(stored.location)).toString()).toBe('first writer');
    expect(await storage.statRaw('B5')).toMatchObject({ encryptedEtag: 'E1', size: 12 });
  });

  it('scopes full/meta by run name when given and describes itself', async () => {
    const s = new LocalStorage({ basePath: dir, runName: 'run1' });
    await s.putMeta('process_summary.json.gz', Buffer.from('{}'));
    await s.putFull('B6_ocr.jsonl.gz', Buffer.from('x'), { page_count: '1' });
    expect((await readFile(join(dir, 'meta', 'run1', 'process_summary.json.gz'))).toString()).toBe('{}');
    expect((await readFile(join(dir, 'full', 'run1', 'B6_ocr.jsonl.gz'))).toString()).toBe('x');
    expect(s.describe()).toBe(`local ${dir}`);
    expect(s.rawLocation('B6')).toBe(join(dir, 'raw', 'B6', 'B6.tar.gz'));
  });

  it('a failed in-memory put says what failed, keeps the old file and leaves no temp file', async () => {
    const s = new LocalStorage({ basePath: dir, runName: 'r' });
    await s.putFull('B7_ocr.jsonl.gz', Buffer.from('old'), {});
    // A directory where the file should land: the rename fails after the temp file was written.
    await mkdir(join(dir, 'full', 'r', 'B8_ocr.jsonl.gz'));
    const error = await s.putFull('B8_ocr.jsonl.gz', Buffer.from('new'), {}).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'storage_write_failed', retryable: true });
    expect((error as Error).message).toContain(join(dir, 'full', 'r', 'B8_ocr.jsonl.gz'));
    expect((await readdir(join(dir, 'full', 'r'))).sort()).toEqual(['B7_ocr.jsonl.gz', 'B8_ocr.jsonl.gz']);
    expect((await readFile(join(dir, 'full', 'r', 'B7_ocr.jsonl.gz'))).toString()).toBe('old');
  });
});
