import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { createS3Client, type S3StorageOptions } from '../../src/storage/index.js';

export interface S3rverHarness {
  endpoint: string;
  buckets: { raw: string; full: string; meta: string };
  /** Connection options for S3Storage / createS3Client against this server. */
  options(runName: string): S3StorageOptions;
  /** Keys in `bucket` under `prefix`, sorted. */
  listKeys(bucket: string, prefix?: string): Promise<string[]>;
  stop(): Promise<void>;
}

/** Start a real S3-protocol server (s3rver) in-process on 127.0.0.1, port 0. */
export async function startS3rver(): Promise<S3rverHarness> {
  const directory = await mkdtemp(join(tmpdir(), 'grin-s3rver-'));
  const buckets = { raw: 'grin-raw', full: 'grin-full', meta: 'grin-meta' };
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: Object.values(buckets).map((name) => ({ name })),
  });
  const addr = await server.run();
  const endpoint = `http://127.0.0.1:${addr.port}`;
  const options = (runName: string): S3StorageOptions => ({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    buckets,
    runName,
    connectionTimeoutMs: 5_000,
    socketTimeoutMs: 30_000,
  });
  const lister = createS3Client(options('list'));
  return {
    endpoint,
    buckets,
    options,
    listKeys: async (bucket, prefix) => {
      const out = await lister.send(new ListObjectsV2Command({ Bucket: bucket, ...(prefix === undefined ? {} : { Prefix: prefix }) }));
      return (out.Contents ?? []).map((o) => o.Key ?? '').sort();
    },
    stop: async () => {
      lister.destroy();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** Names of the commands a client sends, in order (recorded by a middleware, not a mock). */
export function recordCommands(client: S3Client): string[] {
  const sent: string[] = [];
  client.middlewareStack.add(
    (next, context) => (args) => {
      sent.push(context.commandName ?? '?');
      return next(args);
    },
    { step: 'initialize', name: 'recordCommands' },
  );
  return sent;
}
