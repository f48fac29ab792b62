import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { StorageWarning } from './storage-error.js';

/** Options of the S3-compatible backend (`--storage s3`). */
export interface S3StorageOptions {
  /** Custom endpoint (R2, MinIO, s3rver); omit for AWS. */
  endpoint?: string;
  region: string;
  /** Path-style addressing (`endpoint/bucket/key`); needed for MinIO and s3rver. */
  forcePathStyle?: boolean;
  /** Static credentials; omitted → the SDK's default provider chain (env, profile, IMDS, …). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  buckets: { raw: string; full: string; meta: string };
  /** Run name; every key is `{runName}/NAME` (reference 6.5). */
  runName: string;
  /** Multipart part size in bytes (≥ 5 MiB); default from the size hint, see `partSizeFor`. */
  partSize?: number;
  /** Parts uploaded concurrently per object; memory per upload ≈ (queueSize + 1) × partSize. Default 3. */
  queueSize?: number;
  /** TCP connect timeout, default 30 s. */
  connectionTimeoutMs?: number;
  /** Socket inactivity timeout, default 120 s (no whole-request timeout: large parts on slow links must finish). */
  socketTimeoutMs?: number;
  /** SDK attempts per request (incl. the first), default 3. */
  maxAttempts?: number;
  /** Pooled sockets, default 64. */
  maxSockets?: number;
  /** Use this client instead of building one (it is then not destroyed by close()). */
  client?: S3Client;
  /** Told about non-fatal problems, e.g. an AbortMultipartUpload the server refused. */
  onWarning?: (warning: StorageWarning) => void;
  /**
   * Compute the SHA-256 of every uploaded object while streaming it (`StoredObject.sha256`).
   * Costs ~1 CPU-s per GB on the main thread; the S3 metadata does not record it. Default false.
   */
  computeSha256?: boolean;
}

/** Connection settings of well-known S3-compatible services, to spread into S3StorageOptions. */
export const s3Presets = {
  /** Amazon S3: virtual-hosted addressing, real region, default endpoint. */
  aws: (o: { region: string }): Pick<S3StorageOptions, 'region' | 'forcePathStyle'> => ({
    region: o.region,
    forcePathStyle: false,
  }),
  /** Cloudflare R2: region `auto`, account endpoint. */
  r2: (o: { accountId: string }): Pick<S3StorageOptions, 'region' | 'endpoint' | 'forcePathStyle'> => ({
    region: 'auto',
    endpoint: `https://${o.accountId}.r2.cloudflarestorage.com`,
    forcePathStyle: true,
  }),
  /** MinIO (and s3rver): path-style addressing against a custom endpoint. */
  minio: (o: { endpoint: string; region?: string }): Pick<S3StorageOptions, 'region' | 'endpoint' | 'forcePathStyle'> => ({
    region: o.region ?? 'us-east-1',
    endpoint: o.endpoint,
    forcePathStyle: true,
  }),
} as const;

/** Build the SDK client with bounded timeouts and the checksum settings S3-compatibles accept. */
export function createS3Client(options: S3StorageOptions): S3Client {
  const maxSockets = options.maxSockets ?? 64;
  const config: S3ClientConfig = {
    region: options.region,
    forcePathStyle: options.forcePathStyle ?? false,
    maxAttempts: options.maxAttempts ?? 3,
    // SDK ≥ 3.729 adds CRC32 checksums/trailers to every upload by default; s3rver, R2 and older
    // MinIO reject or mis-store those, so only send checksums where an operation requires them.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: {
      connectionTimeout: options.connectionTimeoutMs ?? 30_000,
      socketTimeout: options.socketTimeoutMs ?? 120_000,
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets }),
    },
  };
  if (options.endpoint !== undefined) config.endpoint = options.endpoint;
  if (options.credentials !== undefined) config.credentials = options.credentials;
  // The SDK warns on Node 20 that its releases after January 2027 will need Node 22. The lockfile
  // pins the version used here, and the multi-line warning would land in the middle of the
  // progress display; a user who sets the variable keeps their own choice.
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  return new S3Client(config);
}

const MiB = 1024 * 1024;

/**
 * Part size by expected size (reference 6.5): < 100 MB → 10 MiB, < 1 GB → 16 MiB, < 5 GB → 32 MiB,
 * else size/100 capped at 100 MiB (always ≥ size/10000 so 10,000 parts suffice). Unknown → 16 MiB.
 */
export function partSizeFor(sizeHint: number | undefined): number {
  if (sizeHint === undefined || !Number.isFinite(sizeHint) || sizeHint < 0) return 16 * MiB;
  if (sizeHint < 100e6) return 10 * MiB;
  if (sizeHint < 1e9) return 16 * MiB;
  if (sizeHint < 5e9) return 32 * MiB;
  return Math.max(Math.min(Math.ceil(sizeHint / 100), 100 * MiB), Math.ceil(sizeHint / 10_000));
}
