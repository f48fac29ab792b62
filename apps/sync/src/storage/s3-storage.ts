import type { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ArchiveStorage, PendingObject, RawArchiveMeta, RawArchiveStat, StoredArchive, StoredObject } from './archive-storage.js';
import { assertSafeBarcode, assertSafeObjectName } from './names.js';
import { createS3Client, partSizeFor, type S3StorageOptions } from './s3-options.js';
import { distinctBuckets, probeBuckets } from './s3-probe.js';
import { S3PendingObject } from './s3-pending-object.js';
import { StorageError, storedArchiveReadError, type StorageWarning } from './storage-error.js';
import { writeAndCommit } from './write-body.js';

const MIN_PART_SIZE = 5 * 1024 * 1024;

/** S3-compatible backend: keys `{RUN}/B.tar.gz` in the raw bucket, `{RUN}/NAME` in full/meta. */
export class S3Storage implements ArchiveStorage {
  readonly kind = 's3' as const;
  readonly client: S3Client;
  private readonly options: S3StorageOptions;
  private readonly ownsClient: boolean;
  private readonly onWarning: (warning: StorageWarning) => void;

  constructor(options: S3StorageOptions) {
    assertSafeObjectName(options.runName);
    if (options.partSize !== undefined && options.partSize < MIN_PART_SIZE) {
      throw new StorageError('storage_config', `part size ${options.partSize} is below the S3 minimum of 5 MiB`, {
        hint: 'use a part size of at least 5 MiB',
        retryable: false,
      });
    }
    this.options = options;
    this.ownsClient = options.client === undefined;
    this.client = options.client ?? createS3Client(options);
    this.onWarning = options.onWarning ?? (() => {});
  }

  describe(): string {
    const { endpoint, region, buckets, runName } = this.options;
    const where = endpoint === undefined ? `aws region=${region}` : `${endpoint} region=${region}`;
    return `s3 ${where} raw=${buckets.raw}/${runName}/, full=${buckets.full}/${runName}/, meta=${buckets.meta}/${runName}/`;
  }

  /**
   * HeadBucket each distinct bucket of raw/full/meta and write (then delete) a probe object in it,
   * so a mistyped bucket, refused credentials or writes, or an unreachable endpoint stop the run
   * before anything is downloaded (see `probeBuckets`).
   */
  async probe(signal?: AbortSignal): Promise<void> {
    const { endpoint, region, buckets, runName } = this.options;
    await probeBuckets(this.client, distinctBuckets(buckets), endpoint ?? `AWS S3 (region ${region})`, { prefix: `${runName}/`, onWarning: this.onWarning }, signal);
  }

  rawKey(barcode: string): string {
    assertSafeBarcode(barcode);
    return `${this.options.runName}/${barcode}.tar.gz`;
  }

  rawLocation(barcode: string): string {
    return `s3://${this.options.buckets.raw}/${this.rawKey(barcode)}`;
  }

  async beginRaw(barcode: string, meta: RawArchiveMeta): Promise<PendingObject> {
    const key = this.rawKey(barcode);
    return this.begin(this.options.buckets.raw, key, meta.sizeHint, 'application/gzip', {
      barcode,
      encrypted_etag: meta.encryptedEtag,
      acquisition_date: meta.acquisitionDate,
      original_filename: meta.originalFilename,
    });
  }

  async statRaw(barcode: string): Promise<RawArchiveStat | null> {
    const bucket = this.options.buckets.raw;
    const key = this.rawKey(barcode);
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      // S3 returns user-metadata keys lower-cased.
      const etag = head.Metadata?.['encrypted_etag'];
      return {
        size: head.ContentLength ?? 0,
        encryptedEtag: etag === undefined || etag === '' ? null : etag,
        location: `s3://${bucket}/${key}`,
      };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw new StorageError('storage_read_failed', `HeadObject s3://${bucket}/${key} failed: ${(err as Error).message}`, {
        hint: 'check the endpoint, credentials and that the raw bucket exists',
        retryable: true,
        cause: err,
      });
    }
  }

  async openRaw(barcode: string, signal: AbortSignal): Promise<StoredArchive> {
    try {
      const got = await this.client.send(new GetObjectCommand({ Bucket: this.options.buckets.raw, Key: this.rawKey(barcode) }), { abortSignal: signal });
      // S3 keeps no SHA-256 of its own here: the reader verifies the size only.
      return { body: got.Body as Readable, size: got.ContentLength ?? -1, sha256: null };
    } catch (error) {
      if (signal.aborted) throw error;
      throw storedArchiveReadError(barcode, error);
    }
  }

  putFull(name: string, body: Readable | Buffer, meta: Record<string, string>): Promise<StoredObject> {
    return this.put(this.options.buckets.full, name, body, meta);
  }

  putMeta(name: string, body: Readable | Buffer, meta: Record<string, string> = {}): Promise<StoredObject> {
    return this.put(this.options.buckets.meta, name, body, meta);
  }

  removeMeta(name: string): Promise<void> {
    return this.remove(this.options.buckets.meta, 'meta', name);
  }

  removeFull(name: string): Promise<void> {
    return this.remove(this.options.buckets.full, 'full', name);
  }

  fullLocation(name: string): string {
    return `s3://${this.options.buckets.full}/${this.objectKey(name)}`;
  }

  private async remove(bucket: string, area: 'meta' | 'full', name: string): Promise<void> {
    const key = this.objectKey(name);
    try {
      // DeleteObject succeeds for a missing key too (on AWS).
      await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    } catch (err) {
      // Some S3-compatible services answer a missing key with 404: it is gone either way (a
      // missing bucket is not).
      if (isNotFound(err) && (err as { name?: unknown }).name !== 'NoSuchBucket') return;
      throw new StorageError('storage_write_failed', `could not remove s3://${bucket}/${key}: ${(err as Error).message}`, {
        hint: `check the endpoint, credentials (delete permission on the ${area} bucket) and that the network is up`,
        retryable: true,
        cause: err,
      });
    }
  }

  async close(): Promise<void> {
    if (this.ownsClient) this.client.destroy();
  }

  private async put(bucket: string, name: string, body: Readable | Buffer, meta: Record<string, string>): Promise<StoredObject> {
    const key = this.objectKey(name);
    const sizeHint = Buffer.isBuffer(body) ? body.length : undefined;
    return writeAndCommit(this.begin(bucket, key, sizeHint, contentTypeOf(name), meta), body);
  }

  /** `RUN/name` for a checked object name. */
  private objectKey(name: string): string {
    assertSafeObjectName(name);
    return `${this.options.runName}/${name}`;
  }

  private begin(
    bucket: string,
    key: string,
    sizeHint: number | undefined,
    contentType: string | undefined,
    meta: Record<string, string>,
  ): PendingObject {
    const metadata: Record<string, string> = {};
    for (const [k, v] of Object.entries(meta)) metadata[k.toLowerCase()] = v;
    return new S3PendingObject({
      client: this.client,
      bucket,
      key,
      metadata,
      ...(contentType === undefined ? {} : { contentType }),
      partSize: this.options.partSize ?? partSizeFor(sizeHint),
      queueSize: this.options.queueSize ?? 3,
      onWarning: this.onWarning,
      computeSha256: this.options.computeSha256 ?? false,
    });
  }
}

function isNotFound(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { name?: unknown; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404;
}

function contentTypeOf(name: string): string | undefined {
  if (name.endsWith('.gz')) return 'application/gzip';
  if (name.endsWith('.json')) return 'application/json';
  if (name.endsWith('.jsonl')) return 'application/x-ndjson';
  if (name.endsWith('.csv')) return 'text/csv';
  return undefined;
}
