import type { Readable } from 'node:stream';
import type { SignalSource } from '@grin/run';
import type { PlaintextConsumer } from '../stages/plaintext-consumer.js';

/** What the sync CLI takes from its environment; injected so tests run it in-process. */
export interface SyncCliDeps {
  argv: readonly string[];
  env: Record<string, string | undefined>;
  stdin: Readable;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Source of SIGINT/SIGTERM (default `process`). */
  signals?: SignalSource;
  /** Ends the process after a second Ctrl-C if cleanup does not finish (default process.exit). */
  exit?: (code: number) => void;
  /** Test tuning: no real waits between retries, a short stall timeout, fast progress updates. */
  tuning?: {
    sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
    retryBaseDelayMs?: number;
    idleTimeoutMs?: number;
    progressIntervalMs?: number;
  };
  /** Extra stages on the decrypted stream (the extraction slot). */
  consumers?: readonly PlaintextConsumer[];
}
