import { randomBytes } from 'node:crypto';
import { DeleteObjectCommand, HeadBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { StorageError, type StorageWarning } from './storage-error.js';

/** Which configured role(s) a bucket plays, to name the flag(s) the user has to fix. */
export interface ProbedBucket {
  name: string;
  roles: ('raw' | 'full' | 'meta')[];
}

// HeadBucket answers without a body, so the SDK cannot parse an S3 error code: it names the error
// `NotFound` / `Forbidden` for 404 / 403 where it knows them and `Unknown`/`UnknownError` otherwise
// (s3rver: `NotFound` 404 for a missing bucket, `Unknown` 403 for an unknown access key; it does
// not check SigV4 secrets). The status code is therefore what counts; the names cover servers
// that answer with a body (MinIO, R2) and the rare SDK paths that set a code.
const NOT_FOUND = new Set(['NotFound', 'NoSuchBucket']);
const DENIED = new Set([
  'Forbidden',
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'InvalidToken',
  'ExpiredToken',
  'TokenRefreshRequired',
  'AllAccessDisabled',
  'Unauthorized',
]);
// AWS answers a bucket in another region with 301 (PermanentRedirect) or 400 (AuthorizationHeaderMalformed).
const WRONG_PLACE = new Set(['PermanentRedirect', 'AuthorizationHeaderMalformed', 'IllegalLocationConstraintException', 'InvalidBucketName']);

/** Where the write probe puts its object and whom it tells when the object stays. */
export interface WriteProbe {
  /** Key prefix of this run (`RUN/`); the probe object is `RUN/.grin-write-probe-PID-RANDOM`. */
  prefix: string;
  onWarning: (warning: StorageWarning) => void;
}

/**
 * HeadBucket every distinct bucket, in order, then write and delete a small object in it: read-only
 * credentials otherwise pass the HEAD and fail only at the first upload, after an archive was
 * downloaded. Rejects with `storage_config` when the settings are wrong (missing bucket, refused
 * credentials or writes, wrong region/addressing) and with `storage_read_failed` when storage stays
 * unreachable after the client's own retries (network, timeouts, 5xx, 429). A probe object that
 * cannot be deleted is only a warning (sync deletes nothing else in the raw and full buckets). An
 * aborted `signal` rejects with its reason, uncoded, so the CLI treats it as an interruption.
 */
export async function probeBuckets(client: S3Client, buckets: readonly ProbedBucket[], where: string, write: WriteProbe, signal?: AbortSignal): Promise<void> {
  const options = signal === undefined ? {} : { abortSignal: signal };
  for (const bucket of buckets) {
    signal?.throwIfAborted();
    let action: BucketAction = 'head';
    try {
      await client.send(new HeadBucketCommand({ Bucket: bucket.name }), options);
      action = 'write';
      // Names starting with a dot are never barcodes or object names of ours (see names.ts).
      const key = `${write.prefix}.grin-write-probe-${process.pid}-${randomBytes(4).toString('hex')}`;
      await client.send(new PutObjectCommand({ Bucket: bucket.name, Key: key, Body: 'grin sync write probe\n' }), options);
      await client.send(new DeleteObjectCommand({ Bucket: bucket.name, Key: key }), options).catch((err: unknown) => {
        if (signal?.aborted === true) throw signal.reason;
        write.onWarning({
          code: 'probe_object_left',
          message: `could not delete the write probe s3://${bucket.name}/${key} (${(err as Error).message}); it can be removed by hand`,
          location: `s3://${bucket.name}/${key}`,
          cause: err,
        });
      });
    } catch (err) {
      if (signal?.aborted === true) throw signal.reason;
      throw bucketError(err, bucket, where, action);
    }
  }
}

/** The distinct buckets of raw/full/meta with the roles each plays, in raw, full, meta order. */
export function distinctBuckets(buckets: { raw: string; full: string; meta: string }): ProbedBucket[] {
  const out: ProbedBucket[] = [];
  for (const role of ['raw', 'full', 'meta'] as const) {
    const name = buckets[role];
    const found = out.find((b) => b.name === name);
    if (found === undefined) out.push({ name, roles: [role] });
    else found.roles.push(role);
  }
  return out;
}

/** What the probe was doing with a bucket: the HeadBucket, or writing its probe object. */
export type BucketAction = 'head' | 'write';

/** Maps a HeadBucket or probe-write failure to the StorageError the user sees. */
export function bucketError(err: unknown, bucket: ProbedBucket, where: string, action: BucketAction = 'head'): StorageError {
  const e = (typeof err === 'object' && err !== null ? err : {}) as {
    name?: unknown;
    Code?: unknown;
    message?: unknown;
    $metadata?: { httpStatusCode?: number };
    $response?: { headers?: Record<string, string | undefined> };
  };
  const name = typeof e.Code === 'string' ? e.Code : typeof e.name === 'string' ? e.name : '';
  const status = e.$metadata?.httpStatusCode;
  const flags = bucket.roles.map((r) => `--bucket-${r}`).join('/');
  const label = `bucket ${bucket.name} (${bucket.roles.join(', ')})`;
  const config = (message: string, hint: string): StorageError =>
    new StorageError('storage_config', message, { hint, retryable: false, cause: err });

  if (name === 'CredentialsProviderError') {
    return config(`no S3 credentials found for ${label} at ${where}`, CREDENTIALS_HINT);
  }
  if (NOT_FOUND.has(name) || status === 404) {
    return config(
      `${label} does not exist at ${where}`,
      `check the bucket name given to ${flags} (taken from output/RUN/run_config.json when the flag is left out) and --endpoint/--region/--path-style; sync does not create buckets`,
    );
  }
  if (DENIED.has(name) || status === 401 || status === 403) {
    if (action === 'write') {
      return config(`storage refused writing to ${label} at ${where} (${describeStatus(name, status)}): the credentials can reach it but not write`, CREDENTIALS_HINT);
    }
    return config(`storage refused the credentials for ${label} at ${where} (${describeStatus(name, status)})`, CREDENTIALS_HINT);
  }
  if (WRONG_PLACE.has(name) || status === 301 || status === 307 || status === 400) {
    const region = e.$response?.headers?.['x-amz-bucket-region'];
    return config(
      `storage at ${where} refused the request for ${label} (${describeStatus(name, status)})${region === undefined ? '' : `: the bucket is in region ${region}`}`,
      'check --region (it must be the bucket\'s region), --endpoint and --path-style (MinIO and most self-hosted servers need it)',
    );
  }
  if (status !== undefined && status < 500 && status !== 408 && status !== 429) {
    return config(
      `storage at ${where} answered ${describeStatus(name, status)} to a ${action === 'head' ? 'HEAD of' : 'test write into'} ${label}`,
      'check --endpoint: it must be the S3 API address of the service (not its web console), and --path-style',
    );
  }
  const reason = status === undefined ? (typeof e.message === 'string' ? e.message : String(err)) : describeStatus(name, status);
  return new StorageError('storage_read_failed', `storage at ${where} is unreachable (${action === 'head' ? 'HEAD' : 'test write into'} ${label}: ${reason})`, {
    hint: 'check --endpoint and the network; if the service is down, rerun later (nothing was downloaded)',
    retryable: true,
    cause: err,
  });
}

const CREDENTIALS_HINT =
  'check --access-key-id/--secret-access-key (or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN in the environment); the key needs list, read and write access to the bucket — on AWS a 403 also means the bucket name belongs to another account';

function describeStatus(name: string, status: number | undefined): string {
  const known = name !== '' && name !== 'Unknown' && name !== 'UnknownError' && name !== String(status) ? `${name}, ` : '';
  return status === undefined ? name : `${known}HTTP ${status}`;
}
