import { HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { StorageError } from './storage-error.js';

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

/**
 * HeadBucket every distinct bucket, in order. Rejects with `storage_config` when the settings are
 * wrong (missing bucket, refused credentials, wrong region/addressing) and with `storage_read_failed`
 * when storage stays unreachable after the client's own retries (network, timeouts, 5xx, 429).
 * An aborted `signal` rejects with its reason, uncoded, so the CLI treats it as an interruption.
 */
export async function probeBuckets(client: S3Client, buckets: readonly ProbedBucket[], where: string, signal?: AbortSignal): Promise<void> {
  for (const bucket of buckets) {
    signal?.throwIfAborted();
    try {
      await client.send(new HeadBucketCommand({ Bucket: bucket.name }), signal === undefined ? {} : { abortSignal: signal });
    } catch (err) {
      if (signal?.aborted === true) throw signal.reason;
      throw headBucketError(err, bucket, where);
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

/** Maps a HeadBucket failure to the StorageError the user sees. */
export function headBucketError(err: unknown, bucket: ProbedBucket, where: string): StorageError {
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
      `storage at ${where} answered ${describeStatus(name, status)} to a HEAD of ${label}`,
      'check --endpoint: it must be the S3 API address of the service (not its web console), and --path-style',
    );
  }
  const reason = status === undefined ? (typeof e.message === 'string' ? e.message : String(err)) : describeStatus(name, status);
  return new StorageError('storage_read_failed', `storage at ${where} is unreachable (HEAD ${label}: ${reason})`, {
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
