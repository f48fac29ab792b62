import { randomBytes } from 'node:crypto';
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { finished } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client, partSizeFor, S3Storage, s3Presets, type StorageWarning } from '../../src/storage/index.js';
import { recordCommands, startS3rver, type S3rverHarness } from './s3rver-harness.js';
import { storageContract, type ContractBackend } from './storage-contract.js';

let server: S3rverHarness;
let runCounter = 0;

beforeAll(async () => {
  server = await startS3rver();
});
afterAll(async () => {
  await server.stop();
});

async function getOrNull(client: S3Client, bucket: string, key: string): Promise<Buffer | null> {
  try {
    const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from((await out.Body?.transformToByteArray()) ?? new Uint8Array());
  } catch (err) {
    if ((err as { name?: string }).name === 'NoSuchKey') return null;
    throw err;
  }
}

storageContract('s3 (s3rver)', async ({ partSize, computeSha256 }): Promise<ContractBackend> => {
  // A fresh run name per test keeps tests independent inside the shared buckets.
  const runName = `run${++runCounter}`;
  const storage = new S3Storage({ ...server.options(runName), partSize, computeSha256 });
  const client = storage.client;
  const { raw, full, meta } = server.buckets;
  return {
    storage,
    readRaw: (b) => getOrNull(client, raw, `${runName}/${b}.tar.gz`),
    readFull: (n) => getOrNull(client, full, `${runName}/${n}`),
    readMeta: (n) => getOrNull(client, meta, `${runName}/${n}`),
    listRaw: async () => {
      return (await server.listKeys(raw, `${runName}/`)).map((key) => `s3://${raw}/${key}`);
    },
    dispose: () => storage.close(),
  };
});

describe('S3Storage specifics', () => {
  it('stores the reference 6.5 metadata on the raw object', async () => {
    const storage = new S3Storage(server.options('meta-run'));
    try {
      const p = await storage.beginRaw('B1', {
        encryptedEtag: 'abc123',
        acquisitionDate: '2024-05-01T12:00:00',
        originalFilename: 'B1.tar.gz.gpg',
      });
      p.stream.end(Buffer.from('archive'));
      const stored = await p.commit();
      expect(stored.location).toBe('s3://grin-raw/meta-run/B1.tar.gz');
      const head = await storage.client.send(new HeadObjectCommand({ Bucket: 'grin-raw', Key: 'meta-run/B1.tar.gz' }));
      expect(head.Metadata).toMatchObject({
        barcode: 'B1',
        encrypted_etag: 'abc123',
        acquisition_date: '2024-05-01T12:00:00',
        original_filename: 'B1.tar.gz.gpg',
      });
      expect(head.ContentLength).toBe(7);
      await storage.putFull('B1_ocr.jsonl.gz', Buffer.from('x'), { Barcode: 'B1', page_count: '3' });
      const fhead = await storage.client.send(new HeadObjectCommand({ Bucket: 'grin-full', Key: 'meta-run/B1_ocr.jsonl.gz' }));
      expect(fhead.Metadata).toMatchObject({ barcode: 'B1', page_count: '3' });
      expect(storage.describe()).toBe(
        `s3 ${server.endpoint} region=us-east-1 raw=grin-raw/meta-run/, full=grin-full/meta-run/, meta=grin-meta/meta-run/`,
      );
    } finally {
      await storage.close();
    }
  });

  it('uploads full parts early but completes the multipart upload only in commit()', async () => {
    const storage = new S3Storage({ ...server.options('mpu-run'), partSize: 5 * 1024 * 1024 });
    const sent = recordCommands(storage.client);
    try {
      const p = await storage.beginRaw('B5', { encryptedEtag: 'e5', acquisitionDate: 'd', originalFilename: 'f' });
      const data = randomBytes(12 * 1024 * 1024);
      p.stream.end(data);
      await finished(p.stream);
      // Wait (without sleeping) until both full parts are up: the third part is held back.
      while (sent.filter((c) => c === 'UploadPartCommand').length < 2) await new Promise((r) => setImmediate(r));
      expect(sent).not.toContain('CompleteMultipartUploadCommand');
      expect(await storage.statRaw('B5')).toBeNull();
      await p.commit();
      expect(sent.filter((c) => c !== 'HeadObjectCommand')).toEqual([
        'CreateMultipartUploadCommand',
        'UploadPartCommand',
        'UploadPartCommand',
        'UploadPartCommand',
        'CompleteMultipartUploadCommand',
      ]);
      expect(await storage.statRaw('B5')).toMatchObject({ size: data.length, encryptedEtag: 'e5' });
    } finally {
      await storage.close();
    }
  });

  it('sends a small body as one PutObject, only in commit()', async () => {
    const storage = new S3Storage(server.options('put-run'));
    const sent = recordCommands(storage.client);
    try {
      const p = await storage.beginRaw('B6', { encryptedEtag: 'e6', acquisitionDate: 'd', originalFilename: 'f' });
      p.stream.end(randomBytes(1000));
      await finished(p.stream);
      // Give an eager implementation every chance to send it now (event-loop turns, no sleeping).
      for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
      expect(sent).toEqual([]);
      expect(await storage.statRaw('B6')).toBeNull();
      await p.commit();
      expect(sent.filter((c) => c !== 'HeadObjectCommand')).toEqual(['PutObjectCommand']);
    } finally {
      await storage.close();
    }
  });

  it('aborting a multipart upload in progress makes nothing visible (and reports a refused cleanup)', async () => {
    const warnings: StorageWarning[] = [];
    const storage = new S3Storage({ ...server.options('abort-run'), partSize: 5 * 1024 * 1024, onWarning: (w) => warnings.push(w) });
    const sent = recordCommands(storage.client);
    try {
      const p = await storage.beginRaw('B2', { encryptedEtag: 'e', acquisitionDate: 'd', originalFilename: 'f' });
      const chunk = randomBytes(1024 * 1024);
      for (let i = 0; i < 11; i++) {
        if (!p.stream.write(chunk)) await new Promise((r) => p.stream.once('drain', r));
      }
      while (!sent.includes('UploadPartCommand')) await new Promise((r) => setImmediate(r));
      await p.abort(new Error('stop'));
      expect(sent).toContain('AbortMultipartUploadCommand');
      expect(sent).not.toContain('CompleteMultipartUploadCommand');
      expect(await storage.statRaw('B2')).toBeNull();
      expect(await server.listKeys('grin-raw', 'abort-run/')).toEqual([]);
      // s3rver 3.7 answers AbortMultipartUpload with 405; real S3/R2/MinIO accept it. Either way
      // the caller is told rather than the failure being swallowed.
      expect(warnings.map((w) => w.code)).toEqual(['abort_cleanup_failed']);
    } finally {
      await storage.close();
    }
  });

  it('fails the producer fast when the server refuses the upload (missing bucket)', async () => {
    const opts = server.options('nobucket-run');
    const storage = new S3Storage({ ...opts, buckets: { ...opts.buckets, raw: 'does-not-exist' }, partSize: 5 * 1024 * 1024 });
    try {
      const p = await storage.beginRaw('B3', { encryptedEtag: 'e', acquisitionDate: 'd', originalFilename: 'f' });
      const chunk = randomBytes(1024 * 1024);
      const failed = new Promise<Error>((resolve) => p.stream.once('error', resolve));
      const writeAll = async (): Promise<void> => {
        // Far more than memory would allow if the failure were not propagated to the producer.
        for (let i = 0; i < 200; i++) {
          if (p.stream.destroyed) throw p.stream.errored ?? new Error('destroyed');
          if (!p.stream.write(chunk)) {
            await Promise.race([new Promise((resolve) => p.stream.once('drain', resolve)), failed]);
          }
        }
      };
      await expect(writeAll()).rejects.toMatchObject({ name: 'NoSuchBucket' });
      expect(await failed).toMatchObject({ name: 'NoSuchBucket' });
      await p.abort();
    } finally {
      await storage.close();
    }
  });

  it('fails (does not hang) against an endpoint that is not listening', async () => {
    const storage = new S3Storage({ ...server.options('x'), endpoint: 'http://127.0.0.1:1', maxAttempts: 1 });
    try {
      await expect(storage.statRaw('B4')).rejects.toMatchObject({ code: 'storage_read_failed', retryable: true });
    } finally {
      await storage.close();
    }
  });

  it('has presets for AWS, R2 and MinIO, and a part size policy', () => {
    expect(s3Presets.r2({ accountId: 'acc' })).toEqual({
      region: 'auto',
      endpoint: 'https://acc.r2.cloudflarestorage.com',
      forcePathStyle: true,
    });
    expect(s3Presets.minio({ endpoint: 'http://localhost:9000' })).toMatchObject({ forcePathStyle: true, region: 'us-east-1' });
    expect(s3Presets.aws({ region: 'eu-west-1' })).toEqual({ region: 'eu-west-1', forcePathStyle: false });
    const MiB = 1024 * 1024;
    expect(partSizeFor(undefined)).toBe(16 * MiB);
    expect(partSizeFor(50e6)).toBe(10 * MiB);
    expect(partSizeFor(500e6)).toBe(16 * MiB);
    expect(partSizeFor(2e9)).toBe(32 * MiB);
    expect(partSizeFor(20e9)).toBe(100 * MiB);
    expect(partSizeFor(2e12)).toBe(2e12 / 10_000);
    expect(() => new S3Storage({ ...server.options('x'), partSize: 1024 })).toThrow(/5 MiB/);
    const c = createS3Client(server.options('x'));
    c.destroy();
  });
});
