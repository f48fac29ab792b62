import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Storage, StorageError, type S3StorageOptions, type StorageWarning } from '../../src/storage/index.js';
import { startForwardingProxy } from '../helpers/forwarding-proxy.js';
import { recordCommands, startS3rver, type S3rverHarness } from './s3rver-harness.js';

let server: S3rverHarness;

beforeAll(async () => {
  server = await startS3rver();
});
afterAll(async () => {
  await server.stop();
});

/** Probe with these options; the rejection (or undefined when it passed). */
async function probeError(options: S3StorageOptions): Promise<StorageError | undefined> {
  const storage = new S3Storage(options);
  try {
    await storage.probe();
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(StorageError);
    return err as StorageError;
  } finally {
    await storage.close();
  }
}

/** A real HTTP server on 127.0.0.1 that answers every request with `status` and `headers`, no body. */
async function fixedAnswer(status: number, headers: OutgoingHttpHeaders = {}): Promise<{ endpoint: string; requests: IncomingMessage[]; close: () => Promise<void> }> {
  const requests: IncomingMessage[] = [];
  const http: Server = createServer((req, res) => {
    requests.push(req);
    res.writeHead(status, headers).end();
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve) => http.close(() => resolve())),
  };
}

/**
 * A real HTTP proxy in front of s3rver that answers the requests `refuse` picks with 403
 * AccessDenied (as AWS does for a key without that permission) and forwards the rest.
 */
async function refusingProxy(target: string, refuse: (req: IncomingMessage) => boolean): Promise<{ endpoint: string; close: () => Promise<void> }> {
  const proxy = await startForwardingProxy(target, (req, res) => {
    if (!refuse(req)) return false;
    req.resume();
    res.writeHead(403, { 'content-type': 'application/xml' }).end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>');
    return true;
  });
  return { endpoint: proxy.origin, close: () => proxy.close() };
}

describe('S3Storage.probe against s3rver', () => {
  it('passes with good settings, one HeadBucket per distinct bucket', async () => {
    const storage = new S3Storage(server.options('probe-ok'));
    const sent = recordCommands(storage.client);
    try {
      await storage.probe();
      const perBucket = ['HeadBucketCommand', 'PutObjectCommand', 'DeleteObjectCommand'];
      expect(sent).toEqual([...perBucket, ...perBucket, ...perBucket]);
    } finally {
      await storage.close();
    }
    // The probe objects are gone again.
    for (const bucket of Object.values(server.buckets)) expect(await server.listKeys(bucket, 'probe-ok/')).toEqual([]);
    const opts = server.options('probe-one');
    const shared = new S3Storage({ ...opts, buckets: { raw: 'grin-raw', full: 'grin-raw', meta: 'grin-raw' } });
    const sentShared = recordCommands(shared.client);
    try {
      await shared.probe();
      expect(sentShared).toEqual(['HeadBucketCommand', 'PutObjectCommand', 'DeleteObjectCommand']);
    } finally {
      await shared.close();
    }
  });

  it('a mistyped raw bucket: storage_config naming the bucket, the endpoint and --bucket-raw', async () => {
    const opts = server.options('probe-missing');
    const err = await probeError({ ...opts, buckets: { ...opts.buckets, raw: 'grin-rwa' } });
    expect(err).toMatchObject({ code: 'storage_config', retryable: false });
    expect(err?.message).toBe(`bucket grin-rwa (raw) does not exist at ${server.endpoint}`);
    expect(err?.hint).toContain('--bucket-raw');
    expect(err?.hint).toContain('--endpoint/--region/--path-style');
  });

  it('a missing bucket used for full and meta names both flags', async () => {
    const opts = server.options('probe-missing2');
    const err = await probeError({ ...opts, buckets: { raw: 'grin-raw', full: 'nope-bucket', meta: 'nope-bucket' } });
    expect(err).toMatchObject({ code: 'storage_config', message: expect.stringContaining('bucket nope-bucket (full, meta) does not exist') });
    expect(err?.hint).toContain('--bucket-full/--bucket-meta');
  });

  it('credentials that can read but not write: storage_config "refused writing" before anything is downloaded', async () => {
    const proxy = await refusingProxy(server.endpoint, (req) => req.method === 'PUT');
    try {
      const err = await probeError({ ...server.options('probe-readonly'), endpoint: proxy.endpoint, maxAttempts: 1 });
      expect(err).toMatchObject({ code: 'storage_config', retryable: false });
      expect(err?.message).toBe(
        `storage refused writing to bucket grin-raw (raw) at ${proxy.endpoint} (AccessDenied, HTTP 403): the credentials can reach it but not write`,
      );
      expect(err?.hint).toContain('write access');
    } finally {
      await proxy.close();
    }
  });

  it('a probe object that cannot be deleted is a warning naming it, not a failure', async () => {
    const proxy = await refusingProxy(server.endpoint, (req) => req.method === 'DELETE');
    const warnings: StorageWarning[] = [];
    const storage = new S3Storage({ ...server.options('probe-nodelete'), endpoint: proxy.endpoint, maxAttempts: 1, onWarning: (w) => warnings.push(w) });
    try {
      await storage.probe();
      expect(warnings.map((w) => w.code)).toEqual(['probe_object_left', 'probe_object_left', 'probe_object_left']);
      expect(warnings[0]?.location).toMatch(/^s3:\/\/grin-raw\/probe-nodelete\/\.grin-write-probe-\d+-[0-9a-f]{8}$/);
      expect(await server.listKeys('grin-raw', 'probe-nodelete/')).toEqual([warnings[0]?.location.replace('s3://grin-raw/', '')]);
    } finally {
      await storage.close();
      await proxy.close();
    }
  });

  it('an access key the server does not know: storage_config "refused the credentials" with a credentials hint', async () => {
    // s3rver checks the access key id (403 InvalidAccessKeyId) but not SigV4 secrets.
    const opts = server.options('probe-creds');
    const err = await probeError({ ...opts, credentials: { accessKeyId: 'WRONG', secretAccessKey: 'S3RVER' } });
    expect(err).toMatchObject({ code: 'storage_config', retryable: false });
    expect(err?.message).toBe(`storage refused the credentials for bucket grin-raw (raw) at ${server.endpoint} (HTTP 403)`);
    expect(err?.hint).toContain('--access-key-id/--secret-access-key');
    expect(err?.hint).toContain('AWS_ACCESS_KEY_ID');
  });
});

describe('S3Storage.probe against other answers', () => {
  it('an endpoint that is not listening: storage_read_failed (unreachable) naming the endpoint', async () => {
    const err = await probeError({ ...server.options('x'), endpoint: 'http://127.0.0.1:1', maxAttempts: 1 });
    expect(err).toMatchObject({ code: 'storage_read_failed', retryable: true });
    expect(err?.message).toContain('storage at http://127.0.0.1:1 is unreachable');
    expect(err?.message).toContain('ECONNREFUSED');
  });

  it('503 on every attempt: storage_read_failed after the SDK retried', async () => {
    const http = await fixedAnswer(503);
    try {
      const err = await probeError({ ...server.options('x'), endpoint: http.endpoint, maxAttempts: 2 });
      expect(err).toMatchObject({ code: 'storage_read_failed', message: expect.stringContaining('HTTP 503') });
      expect(http.requests.map((r) => r.method)).toEqual(['HEAD', 'HEAD']);
    } finally {
      await http.close();
    }
  });

  it('bare 403 and 404 (AWS, R2 and MinIO answer HEAD without a body) map like s3rver', async () => {
    for (const [status, code, text] of [
      [403, 'storage_config', 'refused the credentials'],
      [404, 'storage_config', 'does not exist'],
    ] as const) {
      const http = await fixedAnswer(status);
      try {
        const err = await probeError({ ...server.options('x'), endpoint: http.endpoint, maxAttempts: 1 });
        expect(err, String(status)).toMatchObject({ code, message: expect.stringContaining(text) });
      } finally {
        await http.close();
      }
    }
  });

  it('AWS wrong region (301 with x-amz-bucket-region): storage_config naming the region, --region hint', async () => {
    const http = await fixedAnswer(301, { 'x-amz-bucket-region': 'eu-west-1' });
    try {
      const err = await probeError({ ...server.options('x'), endpoint: http.endpoint, maxAttempts: 1 });
      expect(err).toMatchObject({ code: 'storage_config', message: expect.stringContaining('the bucket is in region eu-west-1') });
      expect(err?.hint).toContain('--region');
    } finally {
      await http.close();
    }
  });

  it('an endpoint that is not an S3 API (405): storage_config with an --endpoint hint', async () => {
    const http = await fixedAnswer(405);
    try {
      const err = await probeError({ ...server.options('x'), endpoint: http.endpoint, maxAttempts: 1 });
      expect(err).toMatchObject({ code: 'storage_config', message: expect.stringContaining('HTTP 405') });
      expect(err?.hint).toContain('--endpoint');
    } finally {
      await http.close();
    }
  });
});
