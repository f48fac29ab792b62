import { resolveUserPath } from '@grin/run';
import type { StorageFlags } from '../cli/parse-args.js';
import { SyncError } from '../stages/sync-errors.js';
import { LocalStorage, S3Storage, type ArchiveStorage, type StorageWarning } from '../storage/index.js';
import type { StorageConfigRecord } from './run-config.js';

/** Where archives go, resolved from the flags, the recorded run settings, or the --simulate default. */
export type StorageSettings =
  | { kind: 'local'; basePath: string }
  | {
      kind: 's3';
      buckets: { raw: string; full: string; meta: string };
      endpoint?: string;
      region: string;
      pathStyle: boolean;
    };

/**
 * Flags win; otherwise the run's recorded storage; otherwise `fallbackLocal` (the --simulate
 * default). Paths are resolved against the user's working directory (INIT_CWD-aware).
 */
export function resolveStorageSettings(
  flags: StorageFlags,
  recorded: StorageConfigRecord | undefined,
  env: Record<string, string | undefined>,
  fallbackLocal?: string,
): StorageSettings {
  if (flags.kind === 'local') {
    const base = flags.storagePath ?? fallbackLocal;
    if (base === undefined) throw configMissing('--storage local needs --storage-path DIR');
    return { kind: 'local', basePath: resolveUserPath(base, env) };
  }
  if (flags.kind === 's3') {
    const raw = flags.bucketRaw as string;
    return {
      kind: 's3',
      buckets: { raw, full: flags.bucketFull ?? raw, meta: flags.bucketMeta ?? raw },
      ...(flags.endpoint === undefined ? {} : { endpoint: flags.endpoint }),
      region: flags.region as string,
      pathStyle: flags.pathStyle ?? false,
    };
  }
  if (recorded?.type === 'local') return { kind: 'local', basePath: recorded.config.base_path };
  if (recorded?.type === 's3') {
    const c = recorded.config;
    return {
      kind: 's3',
      buckets: { raw: c.bucket_raw, full: c.bucket_full, meta: c.bucket_meta },
      ...(c.endpoint_url === undefined ? {} : { endpoint: c.endpoint_url }),
      region: c.region,
      pathStyle: c.path_style,
    };
  }
  if (fallbackLocal !== undefined) return { kind: 'local', basePath: resolveUserPath(fallbackLocal, env) };
  throw configMissing('no storage configured for this run');
}

/** The run_config.json form of the settings (no credentials). */
export function storageRecord(settings: StorageSettings): StorageConfigRecord {
  if (settings.kind === 'local') return { type: 'local', protocol: 'file', config: { base_path: settings.basePath } };
  return {
    type: 's3',
    protocol: 's3',
    config: {
      bucket_raw: settings.buckets.raw,
      bucket_full: settings.buckets.full,
      bucket_meta: settings.buckets.meta,
      ...(settings.endpoint === undefined ? {} : { endpoint_url: settings.endpoint }),
      region: settings.region,
      path_style: settings.pathStyle,
    },
  };
}

/** One line for the user, e.g. `local /data/grin` or `s3 http://... bucket grin-raw`. */
export function describeStorage(settings: StorageSettings, runName: string): string {
  if (settings.kind === 'local') return `local ${settings.basePath} (archives in raw/BARCODE/BARCODE.tar.gz)`;
  return `s3 ${settings.endpoint ?? 'AWS'} region ${settings.region}: s3://${settings.buckets.raw}/${runName}/BARCODE.tar.gz`;
}

/** Builds the backend. S3 credentials: flags, else env AWS_ACCESS_KEY_ID/SECRET, else the SDK's chain. */
export function createStorage(
  settings: StorageSettings,
  runName: string,
  flags: StorageFlags,
  env: Record<string, string | undefined>,
  onWarning: (w: StorageWarning) => void,
): ArchiveStorage {
  if (settings.kind === 'local') return new LocalStorage({ basePath: settings.basePath, runName, onWarning });
  const accessKeyId = flags.accessKeyId ?? env['AWS_ACCESS_KEY_ID'];
  const secretAccessKey = flags.secretAccessKey ?? env['AWS_SECRET_ACCESS_KEY'];
  const sessionToken = flags.accessKeyId === undefined ? env['AWS_SESSION_TOKEN'] : undefined;
  return new S3Storage({
    ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
    region: settings.region,
    forcePathStyle: settings.pathStyle,
    buckets: settings.buckets,
    runName,
    onWarning,
    ...(accessKeyId !== undefined && secretAccessKey !== undefined
      ? { credentials: { accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }) } }
      : {}),
  });
}

function configMissing(message: string): SyncError {
  return new SyncError('config_missing', message, {
    hint: 'Give --storage local --storage-path DIR, or --storage s3 --bucket-raw B --region R [--endpoint URL]; it is recorded in output/RUN/run_config.json for later runs.',
    retryable: false,
  });
}
