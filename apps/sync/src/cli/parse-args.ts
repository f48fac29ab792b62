import { parseArgs } from 'node:util';
import { UsageError, validateRunName } from '@grin/run';
import { GRIN_QUEUE_LIMIT } from '../convert/index.js';

/** The queues of `--queue` (reference 5.2): GRIN's `_converted` listing, or the catalogue's. */
export type QueueName = 'converted' | 'previous' | 'unconverted';
export const QUEUE_NAMES: readonly QueueName[] = ['converted', 'previous', 'unconverted'];

/** Where the barcodes come from. */
export type Selection =
  /** One or more queues, run one after the other in the order given. */
  | { kind: 'queues'; queues: QueueName[] }
  | { kind: 'barcodes'; text: string }
  | { kind: 'file'; path: string };

export type ProgressMode = 'auto' | 'tty' | 'plain' | 'json' | 'off';

/** Storage flags as given (validated, not yet merged with the recorded run settings). */
export interface StorageFlags {
  kind?: 'local' | 's3';
  storagePath?: string;
  bucketRaw?: string;
  bucketFull?: string;
  bucketMeta?: string;
  endpoint?: string;
  region?: string;
  pathStyle?: boolean;
  accessKeyId?: string;
  secretAccessKey?: string;
}

/** The parsed command line of `pnpm run sync`. */
export interface SyncCliOptions {
  help: boolean;
  runName: string;
  selection: Selection;
  limit?: number;
  force: boolean;
  /** Skip volumes recorded as synced whose archive storage holds, without a GRIN HEAD. */
  skipSynced: boolean;
  dryRun: boolean;
  storage: StorageFlags;
  downloadConcurrency: number;
  workers?: number;
  maxConsecutiveFailures: number;
  grinUrl?: string;
  libraryDirectory?: string;
  credentialsDir?: string;
  passphraseFile?: string;
  requestsPerSecond?: number;
  allowLegacyWithoutIntegrity: boolean;
  progress: ProgressMode;
  simulate: boolean;
  simulateBooks?: number;
  /** Extraction stages beside the store (both on by default). */
  extractMarc: boolean;
  extractOcr: boolean;
  /** gzip the OCR JSONL (`--skip-compression-full` turns it off). */
  compressFull: boolean;
  /** Teardown switches. */
  skipCsvExport: boolean;
  skipDatabaseBackup: boolean;
  skipCompressionMeta: boolean;
  /** GRIN's conversion-queue limit as this run counts it (default 50,000). */
  conversionQueueLimit: number;
}

const OPTIONS = {
  help: { type: 'boolean' },
  'run-name': { type: 'string' },
  queue: { type: 'string', multiple: true },
  barcodes: { type: 'string' },
  'barcodes-file': { type: 'string' },
  limit: { type: 'string' },
  force: { type: 'boolean' },
  'skip-synced': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  storage: { type: 'string' },
  'storage-path': { type: 'string' },
  'bucket-raw': { type: 'string' },
  'bucket-full': { type: 'string' },
  'bucket-meta': { type: 'string' },
  endpoint: { type: 'string' },
  region: { type: 'string' },
  'path-style': { type: 'boolean' },
  'access-key-id': { type: 'string' },
  'secret-access-key': { type: 'string' },
  'download-concurrency': { type: 'string' },
  workers: { type: 'string' },
  'max-consecutive-failures': { type: 'string' },
  'grin-url': { type: 'string' },
  'library-directory': { type: 'string' },
  'credentials-dir': { type: 'string' },
  'passphrase-file': { type: 'string' },
  'requests-per-second': { type: 'string' },
  'allow-legacy-without-integrity': { type: 'boolean' },
  progress: { type: 'string' },
  simulate: { type: 'boolean' },
  'simulate-books': { type: 'string' },
  'skip-extract-marc': { type: 'boolean' },
  'skip-extract-ocr': { type: 'boolean' },
  'skip-compression-full': { type: 'boolean' },
  'skip-csv-export': { type: 'boolean' },
  'skip-database-backup': { type: 'boolean' },
  'skip-compression-meta': { type: 'boolean' },
  'conversion-queue-limit': { type: 'string' },
} as const;

function integer(name: string, value: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max} (got ${JSON.stringify(value)})`);
  }
  return n;
}

/** Parses argv (without node and script); throws UsageError with a hint on any mistake. */
export function parseSyncArgs(argv: readonly string[]): SyncCliOptions {
  // `pnpm run sync -- ...` passes the separator through.
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  let values: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; strict: true }>>['values'];
  try {
    ({ values } = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0] ?? 'invalid arguments');
  }
  const help = values.help ?? false;
  if (help) {
    return {
      help,
      runName: '',
      selection: { kind: 'barcodes', text: '' },
      force: false,
      skipSynced: false,
      dryRun: false,
      storage: {},
      downloadConcurrency: 5,
      maxConsecutiveFailures: 10,
      allowLegacyWithoutIntegrity: false,
      progress: 'auto',
      simulate: false,
      extractMarc: true,
      extractOcr: true,
      compressFull: true,
      skipCsvExport: false,
      skipDatabaseBackup: false,
      skipCompressionMeta: false,
      conversionQueueLimit: GRIN_QUEUE_LIMIT,
    };
  }

  if (values['run-name'] === undefined) throw new UsageError('--run-name is required', 'e.g. --run-name harvard_2026 (the run directory is output/NAME).');
  const runName = validateRunName(values['run-name']);

  const given = [values.queue !== undefined, values.barcodes !== undefined, values['barcodes-file'] !== undefined].filter(Boolean).length;
  if (given !== 1) {
    throw new UsageError(
      given === 0 ? 'nothing selected: give --queue, --barcodes or --barcodes-file' : '--queue, --barcodes and --barcodes-file exclude each other',
      'Use --queue converted|previous|unconverted (repeatable), --barcodes B1,B2 or --barcodes-file FILE.',
    );
  }
  let selection: Selection;
  if (values.queue !== undefined) {
    const queues: QueueName[] = [];
    for (const q of values.queue) {
      if (!QUEUE_NAMES.includes(q as QueueName)) {
        throw new UsageError(`unknown queue ${JSON.stringify(q)}`, 'Use --queue converted, previous or unconverted (repeat --queue to run several in order).');
      }
      if (queues.includes(q as QueueName)) throw new UsageError(`--queue ${q} is given twice`, 'Each queue runs once; give it once.');
      queues.push(q as QueueName);
    }
    selection = { kind: 'queues', queues };
  } else if (values.barcodes !== undefined) {
    selection = { kind: 'barcodes', text: values.barcodes };
  } else {
    selection = { kind: 'file', path: values['barcodes-file'] as string };
  }

  const storage: StorageFlags = {};
  if (values.storage !== undefined) {
    if (values.storage !== 'local' && values.storage !== 's3') throw new UsageError(`unknown storage ${JSON.stringify(values.storage)}`, 'Use --storage local or --storage s3.');
    storage.kind = values.storage;
  }
  const localFlags = values['storage-path'] !== undefined;
  const s3Flags = ['bucket-raw', 'bucket-full', 'bucket-meta', 'endpoint', 'region', 'path-style', 'access-key-id', 'secret-access-key'].filter(
    (k) => values[k as keyof typeof values] !== undefined,
  );
  if (localFlags && storage.kind !== 'local') throw new UsageError('--storage-path needs --storage local');
  if (s3Flags.length > 0 && storage.kind !== 's3') throw new UsageError(`--${s3Flags[0]} needs --storage s3`);
  if (storage.kind === 'local' && !localFlags && values.simulate !== true) {
    throw new UsageError('--storage local needs --storage-path DIR');
  }
  if (storage.kind === 's3') {
    if (values['bucket-raw'] === undefined) throw new UsageError('--storage s3 needs --bucket-raw BUCKET');
    if (values.region === undefined) throw new UsageError('--storage s3 needs --region REGION', 'e.g. --region us-east-1 (R2: auto).');
    if ((values['access-key-id'] === undefined) !== (values['secret-access-key'] === undefined)) {
      throw new UsageError('give both --access-key-id and --secret-access-key, or neither (then env AWS_* or the AWS profile is used)');
    }
  }
  const set = <K extends keyof StorageFlags>(key: K, value: StorageFlags[K] | undefined): void => {
    if (value !== undefined) storage[key] = value;
  };
  set('storagePath', values['storage-path']);
  set('bucketRaw', values['bucket-raw']);
  set('bucketFull', values['bucket-full']);
  set('bucketMeta', values['bucket-meta']);
  set('endpoint', values.endpoint);
  set('region', values.region);
  set('pathStyle', values['path-style']);
  set('accessKeyId', values['access-key-id']);
  set('secretAccessKey', values['secret-access-key']);

  const progress = values.progress ?? 'auto';
  if (!['auto', 'tty', 'plain', 'json', 'off'].includes(progress)) {
    throw new UsageError(`unknown --progress ${JSON.stringify(progress)}`, 'Use --progress tty, plain, json or off.');
  }

  const options: SyncCliOptions = {
    help,
    runName,
    selection,
    force: values.force ?? false,
    skipSynced: values['skip-synced'] ?? false,
    dryRun: values['dry-run'] ?? false,
    storage,
    downloadConcurrency: integer('download-concurrency', values['download-concurrency'], 1, 64) ?? 5,
    maxConsecutiveFailures: integer('max-consecutive-failures', values['max-consecutive-failures'], 1) ?? 10,
    allowLegacyWithoutIntegrity: values['allow-legacy-without-integrity'] ?? false,
    progress: progress as ProgressMode,
    simulate: values.simulate ?? false,
    extractMarc: !(values['skip-extract-marc'] ?? false),
    extractOcr: !(values['skip-extract-ocr'] ?? false),
    compressFull: !(values['skip-compression-full'] ?? false),
    skipCsvExport: values['skip-csv-export'] ?? false,
    skipDatabaseBackup: values['skip-database-backup'] ?? false,
    skipCompressionMeta: values['skip-compression-meta'] ?? false,
    conversionQueueLimit: integer('conversion-queue-limit', values['conversion-queue-limit'], 0, GRIN_QUEUE_LIMIT) ?? GRIN_QUEUE_LIMIT,
  };
  if (options.force && options.skipSynced) {
    throw new UsageError('--force and --skip-synced contradict each other', 'Use --force to sync everything again, or --skip-synced to skip what is already synced.');
  }
  if (!options.extractOcr && values['skip-compression-full'] === true) {
    throw new UsageError('--skip-compression-full has no effect with --skip-extract-ocr', 'The option only changes how the OCR text is stored; drop one of them.');
  }
  const limit = integer('limit', values.limit, 1);
  if (limit !== undefined) options.limit = limit;
  const workers = integer('workers', values.workers, 1, 256);
  if (workers !== undefined) options.workers = workers;
  const rps = integer('requests-per-second', values['requests-per-second'], 1, 100_000);
  if (rps !== undefined) options.requestsPerSecond = rps;
  const simBooks = integer('simulate-books', values['simulate-books'], 1, 1_000_000);
  if (simBooks !== undefined) {
    if (values.simulate !== true) throw new UsageError('--simulate-books needs --simulate');
    options.simulateBooks = simBooks;
  }
  if (values['grin-url'] !== undefined) options.grinUrl = values['grin-url'];
  if (values['library-directory'] !== undefined) options.libraryDirectory = values['library-directory'];
  if (values['credentials-dir'] !== undefined) options.credentialsDir = values['credentials-dir'];
  if (values['passphrase-file'] !== undefined) options.passphraseFile = values['passphrase-file'];
  return options;
}
