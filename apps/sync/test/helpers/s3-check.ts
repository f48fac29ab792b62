import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { S3rverHarness } from '../storage/s3rver-harness.js';
import type { Harness } from './sync-harness.js';

export function s3Client(s3: S3rverHarness): S3Client {
  return new S3Client({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export function s3Args(s3: S3rverHarness): string[] {
  return [
    '--storage', 's3', '--bucket-raw', s3.buckets.raw, '--bucket-full', s3.buckets.full, '--bucket-meta', s3.buckets.meta,
    '--endpoint', s3.endpoint, '--region', 'us-east-1', '--path-style', '--access-key-id', 'S3RVER', '--secret-access-key', 'S3RVER',
  ];
}

/** Every key in a bucket under `prefix`. */
export async function listKeys(client: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token === undefined ? {} : { ContinuationToken: token }) }));
    for (const o of page.Contents ?? []) if (o.Key !== undefined) keys.push(o.Key);
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return keys.sort();
}

/**
 * Problems with the raw bucket of `runName` (empty = fine): exactly one object per barcode, each
 * with `encrypted_etag` metadata equal to GRIN's ETag and bytes equal to the original tar.
 */
export async function checkS3Synced(h: Harness, client: S3Client, bucket: string, runName: string, barcodes: readonly string[]): Promise<string[]> {
  const problems: string[] = [];
  const keys = await listKeys(client, bucket, `${runName}/`);
  const expected = barcodes.map((b) => `${runName}/${b}.tar.gz`).sort();
  const extra = keys.filter((k) => !expected.includes(k));
  if (extra.length > 0) problems.push(`unexpected objects: ${extra.join(', ')}`);
  for (const b of barcodes) {
    const key = `${runName}/${b}.tar.gz`;
    if (!keys.includes(key)) {
      problems.push(`${b}: no object`);
      continue;
    }
    const truth = await h.sim.library.archive(b);
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    if (head.Metadata?.['encrypted_etag'] !== truth.etag) problems.push(`${b}: metadata ETag ${String(head.Metadata?.['encrypted_etag'])} != ${truth.etag}`);
    const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const hash = createHash('sha256');
    for await (const chunk of got.Body as Readable) hash.update(chunk as Buffer);
    if (hash.digest('hex') !== truth.plaintextSha256) problems.push(`${b}: stored bytes differ from the original tar`);
  }
  // No object without metadata anywhere in the bucket (a partial upload would have none).
  for (const key of keys) {
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    if (head.Metadata?.['encrypted_etag'] === undefined) problems.push(`${key}: object without encrypted_etag metadata`);
  }
  return problems;
}
