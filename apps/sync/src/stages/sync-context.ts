import type { StatusBatchWriter } from '@grin/books';
import type { GrinClient, Semaphore } from '@grin/client';
import type { Decryptor } from '../decrypt/index.js';
import type { PipelineStats } from '../pipeline/pipeline-stats.js';
import type { ArchiveStorage } from '../storage/index.js';
import type { PlaintextConsumer } from './plaintext-consumer.js';

/** The catalogue events the stages record (the batched writer of @grin/books). */
export type CatalogueEvents = Pick<
  StatusBatchWriter,
  | 'checked'
  | 'skipped'
  | 'checkFailed'
  | 'downloaded'
  | 'downloadFailed'
  | 'decrypted'
  | 'decryptFailed'
  | 'stored'
  | 'storeFailed'
  | 'failed'
  | 'synced'
>;

/** Named points of a volume's life, for the crash tests' hook (see cli/test-hooks.ts). */
export type Checkpoint = 'startup' | 'download' | 'plaintext' | 'committed' | 'recorded' | 'flush';

/** Retries of a whole transfer (GET -> decrypt -> store -> verify), each from scratch. */
export interface TransferRetryPolicy {
  /** Attempts per volume including the first. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  random: () => number;
}

/** Everything the check and transfer stages use; built once per run by `runSync`. */
export interface SyncContext {
  client: GrinClient;
  storage: ArchiveStorage;
  decryptor: Decryptor;
  events: CatalogueEvents;
  /** The encrypted ETag the catalogue recorded with the volume's last `synced` event, or null. */
  recordedEtag: (barcode: string) => string | null;
  stats: PipelineStats;
  /** GRIN's download limit: a permit before each GET, given back when its body is closed. */
  permits: Semaphore;
  /** Transfer even when storage holds the same ETag. */
  force: boolean;
  /** Skip volumes recorded as synced that storage holds with the recorded ETag, without a HEAD. */
  skipSynced: boolean;
  /**
   * When to HEAD before downloading. `when-stored` (default): only when storage holds something
   * for the barcode — otherwise the GET itself answers the check (ETag, size, 404), which halves
   * the requests of a first sync under GRIN's request-rate limit. `always`: HEAD every volume.
   */
  headPolicy: 'always' | 'when-stored';
  retry: TransferRetryPolicy;

  consumers: readonly PlaintextConsumer[];
  /** Local time, for the archive's acquisition date. */
  now: () => Date;
  /** Aborted by a hard stop: in-flight transfers are cancelled and their pending objects aborted. */
  abort: AbortSignal;
  /**
   * The branch after the check for volumes GRIN does not have (404): e.g. request their
   * conversion (issue 6's previous/unconverted queues). Resolves with what it did (recorded as
   * the outcome's detail). Absent: the volume is only recorded as not available.
   */
  notAvailable?: (barcode: string, signal: AbortSignal) => Promise<string | null>;
  /** Test hook (crash tests): called at named points; undefined in normal runs. */
  checkpoint?: (point: Checkpoint, barcode: string) => void;
  log: (line: string) => void;
}
