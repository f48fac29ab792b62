import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageError, type ArchiveStorage, type RawArchiveMeta, type StoredObject } from '../../src/storage/index.js';

/** What a backend under contract test must offer besides the storage itself. */
export interface ContractBackend {
  storage: ArchiveStorage;
  /** Bytes at the raw archive's final location, or null when nothing is there. */
  readRaw(barcode: string): Promise<Buffer | null>;
  readFull(name: string): Promise<Buffer | null>;
  readMeta(name: string): Promise<Buffer | null>;
  /** Everything visible in the raw area (final names only, never temp/in-progress data). */
  listRaw(): Promise<string[]>;
  dispose(): Promise<void>;
}

export interface ContractOptions {
  /** Part size to pass where the backend has one, small enough that 12 MB is multipart. */
  partSize: number;
  /** Pass through as the backend's `computeSha256` option. */
  computeSha256: boolean;
}

export type BackendFactory = (options: ContractOptions) => Promise<ContractBackend>;

const MiB = 1024 * 1024;

function meta(etag: string, sizeHint?: number): RawArchiveMeta {
  return {
    encryptedEtag: etag,
    acquisitionDate: '2024-05-01T12:00:00',
    originalFilename: 'X.tar.gz.gpg',
    ...(sizeHint === undefined ? {} : { sizeHint }),
  };
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

/** A Readable that yields `total` bytes in 64 KiB chunks, then fails with `error` if given. */
function producer(data: Buffer, error?: Error): Readable {
  let off = 0;
  return new Readable({
    read() {
      if (off >= data.length) {
        if (error !== undefined) this.destroy(error);
        else this.push(null);
        return;
      }
      const end = Math.min(off + 64 * 1024, data.length);
      this.push(data.subarray(off, end));
      off = end;
    },
  });
}

/** The storage contract: every backend must pass this same suite, with and without hashing. */
export function storageContract(name: string, factory: BackendFactory): void {
  for (const computeSha256 of [false, true]) contractSuite(name, factory, computeSha256);
}

function contractSuite(name: string, factory: BackendFactory, computeSha256: boolean): void {
  describe(`ArchiveStorage contract: ${name}, computeSha256: ${computeSha256}`, () => {
    let backend: ContractBackend;
    let storage: ArchiveStorage;

    /** `sha256` is the digest of exactly the stored bytes when asked for, absent otherwise. */
    function expectDigest(stored: StoredObject, data: Buffer): void {
      if (computeSha256) expect(stored.sha256).toBe(sha256(data));
      else expect(stored).not.toHaveProperty('sha256');
    }

    beforeEach(async () => {
      backend = await factory({ partSize: 5 * MiB, computeSha256 });
      storage = backend.storage;
    });
    afterEach(async () => {
      await backend.dispose();
    });

    it('commits a written archive: statRaw reports size and etag, bytes read back equal', async () => {
      const data = randomBytes(300_000);
      expect(await storage.statRaw('BC001')).toBeNull();
      const pending = await storage.beginRaw('BC001', meta('etag-1', data.length));
      expect(pending.location).toBe(storage.rawLocation('BC001'));
      await pipeline(producer(data), pending.stream);
      const stored = await pending.commit();
      expect(stored).toMatchObject({ location: storage.rawLocation('BC001'), size: data.length });
      expectDigest(stored, data);
      expect(await storage.statRaw('BC001')).toEqual({ size: data.length, encryptedEtag: 'etag-1', location: stored.location });
      expect((await backend.readRaw('BC001'))?.equals(data)).toBe(true);
      expect(await backend.listRaw()).toEqual([stored.location]);
    });

    it('shows nothing before commit, even after the producer ended the stream', async () => {
      const data = randomBytes(100_000);
      const pending = await storage.beginRaw('BC002', meta('etag-2'));
      await pipeline(producer(data), pending.stream);
      expect(await storage.statRaw('BC002')).toBeNull();
      expect(await backend.readRaw('BC002')).toBeNull();
      expect(await backend.listRaw()).toEqual([]);
      await pending.commit();
      expect(await storage.statRaw('BC002')).not.toBeNull();
    });

    it('abort leaves nothing at the final location', async () => {
      const pending = await storage.beginRaw('BC003', meta('etag-3'));
      await pipeline(producer(randomBytes(200_000)), pending.stream);
      await pending.abort(new Error('changed my mind'));
      expect(await storage.statRaw('BC003')).toBeNull();
      expect(await backend.readRaw('BC003')).toBeNull();
      expect(await backend.listRaw()).toEqual([]);
      await expect(pending.commit()).rejects.toMatchObject({ code: 'storage_already_settled' });
    });

    it('a producer failing mid-way leaves nothing visible after abort', async () => {
      const pending = await storage.beginRaw('BC004', meta('etag-4', 12 * MiB));
      const boom = new Error('decrypt failed half-way');
      // 7 MiB: more than one part on S3, so a multipart upload is really in progress.
      await expect(pipeline(producer(randomBytes(7 * MiB), boom), pending.stream)).rejects.toBe(boom);
      await pending.abort(boom);
      expect(await storage.statRaw('BC004')).toBeNull();
      expect(await backend.listRaw()).toEqual([]);
    });

    it('refuses commit() before the producer ended the stream', async () => {
      const pending = await storage.beginRaw('BC005', meta('etag-5'));
      pending.stream.write(Buffer.from('partial'));
      await expect(pending.commit()).rejects.toMatchObject({ code: 'storage_commit_before_end' });
      await pending.abort();
      expect(await storage.statRaw('BC005')).toBeNull();
    });

    it('overwrites an existing archive with new bytes and a new etag', async () => {
      const first = randomBytes(50_000);
      const p1 = await storage.beginRaw('BC006', meta('old-etag'));
      await pipeline(producer(first), p1.stream);
      await p1.commit();
      const second = randomBytes(80_000);
      const p2 = await storage.beginRaw('BC006', meta('new-etag'));
      await pipeline(producer(second), p2.stream);
      // Until the new version commits, the old one is what storage holds.
      expect(await storage.statRaw('BC006')).toMatchObject({ size: first.length, encryptedEtag: 'old-etag' });
      await p2.commit();
      expect(await storage.statRaw('BC006')).toMatchObject({ size: second.length, encryptedEtag: 'new-etag' });
      expect((await backend.readRaw('BC006'))?.equals(second)).toBe(true);
    });

    it('round-trips a 12 MB archive (multipart-sized)', async () => {
      const data = randomBytes(12 * 1024 * 1024);
      const pending = await storage.beginRaw('BC007', meta('etag-7', data.length));
      await pipeline(producer(data), pending.stream);
      const stored = await pending.commit();
      expect(stored.size).toBe(data.length);
      expectDigest(stored, data);
      expect(await storage.statRaw('BC007')).toMatchObject({ size: data.length, encryptedEtag: 'etag-7' });
      expect(sha256((await backend.readRaw('BC007')) ?? Buffer.alloc(0))).toBe(sha256(data));
    });

    it('stores full and meta objects from Buffers and Readables', async () => {
      const ocr = Buffer.from('{"p":1}\n{"p":2}\n');
      const f = await storage.putFull('BC008_ocr.jsonl.gz', ocr, { barcode: 'BC008', page_count: '2' });
      expect(f.size).toBe(ocr.length);
      expectDigest(f, ocr);
      expect((await backend.readFull('BC008_ocr.jsonl.gz'))?.equals(ocr)).toBe(true);

      const csv = randomBytes(6 * MiB);
      const m1 = await storage.putMeta('books_latest.csv.gz', producer(csv));
      expect(m1).toMatchObject({ size: csv.length });
      expectDigest(m1, csv);
      expect(sha256((await backend.readMeta('books_latest.csv.gz')) ?? Buffer.alloc(0))).toBe(sha256(csv));

      const ts = Buffer.from('summary');
      await storage.putMeta('timestamped/20240501_120000_books.csv.gz', ts);
      expect((await backend.readMeta('timestamped/20240501_120000_books.csv.gz'))?.equals(ts)).toBe(true);

      // Replacing is atomic too.
      await storage.putMeta('books_latest.csv.gz', Buffer.from('v2'));
      expect((await backend.readMeta('books_latest.csv.gz'))?.toString()).toBe('v2');
    });

    it('removeMeta removes a meta object, is a no-op for a missing one and refuses unsafe names', async () => {
      await storage.putMeta('books_latest.csv.gz', Buffer.from('old'));
      await storage.putMeta('books_latest.csv', Buffer.from('new'));
      await storage.removeMeta('books_latest.csv.gz');
      expect(await backend.readMeta('books_latest.csv.gz')).toBeNull();
      expect((await backend.readMeta('books_latest.csv'))?.toString()).toBe('new');
      await storage.removeMeta('books_latest.csv.gz');
      await storage.removeMeta('timestamped/never_written.csv');
      for (const bad of ['/abs', 'a/../b', '.x']) await expect(storage.removeMeta(bad)).rejects.toMatchObject({ code: 'invalid_object_name' });
    });

    it('fullLocation is where putFull stores; removeFull removes a full-text object, leaves the others, is a no-op for a missing one and refuses unsafe names', async () => {
      const stored = await storage.putFull('BC009_ocr.jsonl.gz', Buffer.from('gz'), {});
      // The catalogue records `location`; the removal of an earlier OCR file compares with fullLocation.
      expect(storage.fullLocation('BC009_ocr.jsonl.gz')).toBe(stored.location);
      expect(storage.fullLocation('BC009_ocr.jsonl')).not.toBe(stored.location);
      await storage.putFull('BC009_ocr.jsonl', Buffer.from('plain'), {});
      await storage.removeFull('BC009_ocr.jsonl.gz');
      expect(await backend.readFull('BC009_ocr.jsonl.gz')).toBeNull();
      expect((await backend.readFull('BC009_ocr.jsonl'))?.toString()).toBe('plain');
      await storage.removeFull('BC009_ocr.jsonl.gz');
      for (const bad of ['/abs', 'a/../b', '.x']) await expect(storage.removeFull(bad)).rejects.toMatchObject({ code: 'invalid_object_name' });
    });

    it('a failing body for putMeta leaves nothing and rejects', async () => {
      const boom = new Error('csv writer failed');
      await expect(storage.putMeta('broken.csv', producer(randomBytes(100_000), boom))).rejects.toBe(boom);
      expect(await backend.readMeta('broken.csv')).toBeNull();
    });

    it('supports concurrent writers for different barcodes', async () => {
      const barcodes = ['CC1', 'CC2', 'CC3', 'CC4', 'CC5'];
      const datas = barcodes.map((_, i) => randomBytes(200_000 + i * 1000));
      const pendings = await Promise.all(barcodes.map((b, i) => storage.beginRaw(b, meta(`e-${b}`, datas[i]?.length))));
      await Promise.all(pendings.map((p, i) => pipeline(producer(datas[i] ?? Buffer.alloc(0)), p.stream)));
      // Abort one in the middle of the others' commits.
      const results = await Promise.all(pendings.map((p, i) => (i === 2 ? p.abort().then(() => null) : p.commit())));
      expect(results.filter((r) => r !== null)).toHaveLength(4);
      for (const [i, b] of barcodes.entries()) {
        const st = await storage.statRaw(b);
        if (i === 2) {
          expect(st).toBeNull();
        } else {
          expect(st).toMatchObject({ size: datas[i]?.length, encryptedEtag: `e-${b}` });
          expect((await backend.readRaw(b))?.equals(datas[i] ?? Buffer.alloc(0))).toBe(true);
        }
      }
    });

    it('refuses unsafe barcodes and object names before any I/O', async () => {
      for (const bad of ['a/b', '..', '.hidden', 'a b', 'x\ny', '', 'a\\b', '../etc']) {
        await expect(storage.beginRaw(bad, meta('e'))).rejects.toBeInstanceOf(StorageError);
        await expect(storage.statRaw(bad)).rejects.toMatchObject({ code: 'invalid_barcode' });
      }
      for (const bad of ['/abs', 'a/../b', 'a//b', '.x', 'a/.', 'new\nline']) {
        await expect(storage.putMeta(bad, Buffer.from('x'))).rejects.toMatchObject({ code: 'invalid_object_name' });
      }
      expect(await backend.listRaw()).toEqual([]);
    });

    it('probe passes on a good backend, again on a second start-up, and leaves nothing visible', async () => {
      await storage.probe();
      await storage.probe();
      expect(await backend.listRaw()).toEqual([]);
      expect(await storage.statRaw('BC009')).toBeNull();
    });

    it('probe with an aborted signal rejects with the abort reason (an interruption, not a storage error)', async () => {
      const controller = new AbortController();
      const reason = new Error('SIGINT received');
      controller.abort(reason);
      await expect(storage.probe(controller.signal)).rejects.toBe(reason);
    });

    it('describes itself', () => {
      expect(storage.describe()).toMatch(new RegExp(`^${storage.kind} `));
    });
  });
}
