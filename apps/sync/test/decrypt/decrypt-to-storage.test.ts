import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createDecryptor,
  DecryptAbortedError,
  decryptToStorage,
  IntegrityError,
  CorruptArchiveError,
  WrongPassphraseError,
  type Decryptor,
} from '../../src/decrypt/index.js';
import { LocalStorage, S3Storage, type RawArchiveMeta } from '../../src/storage/index.js';
import { startS3rver } from '../storage/s3rver-harness.js';
import { makeGpgWorkdir, processExists, type GpgWorkdir } from './gpg-fixtures.js';

let work: GpgWorkdir;
let decryptor: Decryptor;
const plaintext = randomBytes(3 * 1024 * 1024);
let ciphertext: Buffer;
let storageDir: string;
let storage: LocalStorage;

const meta: RawArchiveMeta = { encryptedEtag: 'etag-1', acquisitionDate: '2024-05-01T12:00:00', originalFilename: 'B1.tar.gz.gpg' };

beforeAll(async () => {
  work = await makeGpgWorkdir();
  ciphertext = await work.encrypt(plaintext, ['--compress-algo', 'none']);
  decryptor = await createDecryptor({ passphraseFile: work.passphraseFile });
}, 60_000);

afterAll(async () => {
  await decryptor?.close();
  await work?.dispose();
});

beforeEach(async () => {
  storageDir = await mkdtemp(join(tmpdir(), 'grin-d2s-'));
  storage = new LocalStorage({ basePath: storageDir });
  return async () => {
    await rm(storageDir, { recursive: true, force: true });
  };
});

/** Feeds `data` in 64 KiB chunks, only as fast as it is read. */
function source(data: Buffer): Readable {
  let off = 0;
  return new Readable({
    read() {
      if (off >= data.length) return void this.push(null);
      this.push(data.subarray(off, off + 65536));
      off += 65536;
    },
  });
}

/** A slow collecting sink (one chunk per macrotask), to make the tee's backpressure matter. */
function slowCollector(): { sink: Writable; data: () => Buffer; ended: () => boolean } {
  const chunks: Buffer[] = [];
  let ended = false;
  const sink = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _e, cb) {
      chunks.push(chunk);
      setImmediate(cb);
    },
    final(cb) {
      ended = true;
      cb();
    },
  });
  return { sink, data: () => Buffer.concat(chunks), ended: () => ended };
}

async function rawDirEntries(barcode: string): Promise<string[]> {
  return readdir(join(storageDir, 'raw', barcode)).catch(() => []);
}

describe('decryptToStorage', () => {
  it('stores the verified plaintext and feeds extra sinks the same bytes', async () => {
    const pending = await storage.beginRaw('B1', meta);
    const extra = slowCollector();
    const { stored, decrypt } = await decryptToStorage(source(ciphertext), decryptor, pending, { extraSinks: [extra.sink] });
    expect(decrypt).toEqual({ cipher: 'AES256', integrityProtected: true, bytesIn: ciphertext.length, bytesOut: plaintext.length });
    expect(stored.size).toBe(plaintext.length);
    expect((await readFile(stored.location)).equals(plaintext)).toBe(true);
    expect(extra.ended()).toBe(true);
    expect(extra.data().equals(plaintext)).toBe(true);
    expect(await storage.statRaw('B1')).toMatchObject({ encryptedEtag: 'etag-1', size: plaintext.length });
  });

  it('corrupted ciphertext: error, pending aborted, nothing stored, extra sinks destroyed', async () => {
    const bad = Buffer.from(ciphertext);
    const mid = Math.floor(bad.length / 2);
    for (let i = 0; i < 16; i++) bad[mid + i] = (bad[mid + i] ?? 0) ^ 0x5a;
    const pending = await storage.beginRaw('B2', meta);
    const extra = slowCollector();
    const err = await decryptToStorage(source(bad), decryptor, pending, { extraSinks: [extra.sink] }).catch((e: unknown) => e);
    expect(err instanceof IntegrityError || err instanceof CorruptArchiveError).toBe(true);
    expect(await storage.statRaw('B2')).toBeNull();
    expect(await rawDirEntries('B2')).toEqual([]);
    expect(extra.ended()).toBe(false);
    expect(extra.sink.destroyed).toBe(true);
  });

  it('truncated ciphertext: CorruptArchiveError and nothing stored', async () => {
    const pending = await storage.beginRaw('B3', meta);
    await expect(decryptToStorage(source(ciphertext.subarray(0, 2_000_000)), decryptor, pending)).rejects.toBeInstanceOf(CorruptArchiveError);
    expect(await storage.statRaw('B3')).toBeNull();
    expect(await rawDirEntries('B3')).toEqual([]);
  });

  it('keeps the previously stored version when a re-sync fails', async () => {
    const p1 = await storage.beginRaw('B4', meta);
    await decryptToStorage(source(ciphertext), decryptor, p1);
    const wrong = join(work.dir, 'wrong-pp.asc');
    await import('node:fs/promises').then((fs) => fs.writeFile(wrong, 'nope\n', { mode: 0o600 }));
    const wrongDecryptor = await createDecryptor({ passphraseFile: wrong });
    try {
      const p2 = await storage.beginRaw('B4', { ...meta, encryptedEtag: 'etag-2' });
      await expect(decryptToStorage(source(ciphertext), wrongDecryptor, p2)).rejects.toBeInstanceOf(WrongPassphraseError);
    } finally {
      await wrongDecryptor.close();
    }
    expect(await storage.statRaw('B4')).toMatchObject({ encryptedEtag: 'etag-1', size: plaintext.length });
    expect((await rawDirEntries('B4')).sort()).toEqual(['B4.tar.gz', 'B4.tar.gz.meta.json']);
  });

  it('abort via signal: gpg killed, nothing stored', async () => {
    const controller = new AbortController();
    const pending = await storage.beginRaw('B5', meta);
    let fed = 0;
    const input = new Readable({
      read() {
        if (fed >= ciphertext.length) return void this.push(null);
        this.push(ciphertext.subarray(fed, fed + 65536));
        fed += 65536;
        if (fed > 1024 * 1024) controller.abort(new Error('second SIGINT'));
      },
    });
    const err = await decryptToStorage(input, decryptor, pending, { signal: controller.signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DecryptAbortedError);
    expect(await storage.statRaw('B5')).toBeNull();
    expect(await rawDirEntries('B5')).toEqual([]);
  });

  it('a failing extra sink is detached; the archive is still stored', async () => {
    const pending = await storage.beginRaw('B6', meta);
    let seen = 0;
    const failing = new Writable({
      write(chunk: Buffer, _e, cb) {
        seen += chunk.length;
        cb(seen > 500_000 ? new Error('extraction failed: hostile tar entry') : null);
      },
    });
    const reported: Error[] = [];
    const { stored } = await decryptToStorage(source(ciphertext), decryptor, pending, {
      extraSinks: [failing],
      onExtraSinkError: (_s, e) => reported.push(e),
    });
    expect(stored.size).toBe(plaintext.length);
    expect(reported.map((e) => e.message)).toEqual(['extraction failed: hostile tar entry']);
  });

  it('a storage failure stops gpg and surfaces the storage error (s3rver, missing bucket)', async () => {
    const server = await startS3rver();
    const opts = server.options('d2s');
    const s3 = new S3Storage({ ...opts, buckets: { ...opts.buckets, raw: 'no-such-bucket' }, partSize: 5 * 1024 * 1024 });
    try {
      const big = await work.encrypt(randomBytes(12 * 1024 * 1024), ['--compress-algo', 'none']);
      const pending = await s3.beginRaw('B7', meta);
      let started: Promise<number> | undefined;
      const spy: typeof decryptor = {
        ...decryptor,
        decrypt: (input, signal) => {
          const s = decryptor.decrypt(input, signal);
          started = s.started;
          return s;
        },
      };
      const err = await decryptToStorage(source(big), spy, pending).catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'NoSuchBucket' });
      const pid = await started;
      expect(pid).toBeTypeOf('number');
      expect(processExists(pid ?? -1)).toBe(false);
    } finally {
      await s3.close();
      await server.stop();
    }
  });

  it('commits to S3 only after verification (end to end against s3rver)', async () => {
    const server = await startS3rver();
    const s3 = new S3Storage({ ...server.options('d2s-ok'), partSize: 5 * 1024 * 1024 });
    try {
      const pending = await s3.beginRaw('B8', meta);
      const { stored } = await decryptToStorage(source(ciphertext), decryptor, pending);
      expect(stored.location).toBe('s3://grin-raw/d2s-ok/B8.tar.gz');
      expect(await s3.statRaw('B8')).toMatchObject({ size: plaintext.length, encryptedEtag: 'etag-1' });

      const bad = Buffer.from(ciphertext);
      const mid = Math.floor(bad.length / 2);
      bad[mid] = (bad[mid] ?? 0) ^ 0xff;
      const p2 = await s3.beginRaw('B9', meta);
      await expect(decryptToStorage(source(bad), decryptor, p2)).rejects.toBeInstanceOf(IntegrityError);
      expect(await s3.statRaw('B9')).toBeNull();
    } finally {
      await s3.close();
      await server.stop();
    }
  });
});
