import {
  createGrinClient,
  DEFAULT_BASE_URL,
  type ClientEvent,
  type GrinClient,
  type ParseLocation,
  type RetryOptions,
} from '@grin/client';
import type { CollectOptions } from './cli-options.js';
import type { ThreadClientSettings } from './listing-thread-protocol.js';
import { ListingThread } from './listing-thread.js';
import type { SimulatedGrin } from './simulate.js';

/** Client settings tests and the benchmark may change (plain data: they cross to the listing thread). */
export interface ClientOverrides {
  retry?: RetryOptions;
  parseIn?: ParseLocation;
  requestsPerSecond?: number;
  rateBurst?: number;
  idleTimeoutMs?: number;
  /** Run the client in a worker thread (default true); false keeps it on the main thread. */
  thread?: boolean;
}

/** A checked connection to GRIN (or to the in-process simulator). */
export interface GrinConnection {
  listing: Pick<GrinClient, 'listPages'>;
  /** `{baseUrl}{libraryDirectory}/`. */
  libraryUrl: string;
  libraryDirectory: string;
  baseUrl: string;
  simulated: boolean;
  close(): Promise<void>;
}

/**
 * Starts the simulator when asked, then the GRIN client (in the listing thread unless
 * `overrides.thread` is false), which validates the library directory (ConfigError) and probes
 * the credentials (AuthMissingError, AuthRefusedError, PermissionError, or unavailable after
 * retries) before anything is written to disk.
 */
export async function connectGrin(
  options: CollectOptions,
  env: Record<string, string | undefined>,
  signal: AbortSignal,
  onEvent: (event: ClientEvent) => void,
  overrides: ClientOverrides = {},
): Promise<GrinConnection> {
  let simulated: SimulatedGrin | null = null;
  if (options.simulate !== null) {
    // Loaded only for --simulate: a real collect does not pay for the simulator's modules.
    const { startSimulatedGrin } = await import('./simulate.js');
    simulated = await startSimulatedGrin(options.simulate, options.libraryDirectory);
  }
  try {
    const { thread, ...clientOverrides } = overrides;
    const settings: ThreadClientSettings = {
      libraryDirectory: simulated?.libraryDirectory ?? options.libraryDirectory ?? '',
      baseUrl: simulated?.baseUrl ?? options.grinUrl ?? DEFAULT_BASE_URL,
      env: plainEnv(env),
      pageSize: options.pageSize,
      ...clientOverrides,
    };
    const credentialsDir = simulated?.credentialsDir ?? options.credentialsDir;
    if (credentialsDir !== undefined) settings.credentialsDir = credentialsDir;
    const connected = await abortable(
      thread === false ? inThreadClient(settings, signal, onEvent) : ListingThread.start(settings, onEvent),
      signal,
      (late) => void late.close(),
    );
    return {
      listing: connected,
      libraryUrl: connected.libraryUrl,
      libraryDirectory: settings.libraryDirectory,
      baseUrl: settings.baseUrl,
      simulated: simulated !== null,
      async close() {
        await connected.close();
        await simulated?.close();
      },
    };
  } catch (error) {
    await simulated?.close().catch(() => undefined);
    throw error;
  }
}

type Connected = Pick<GrinClient, 'listPages' | 'libraryUrl' | 'close'>;

async function inThreadClient(settings: ThreadClientSettings, signal: AbortSignal, onEvent: (e: ClientEvent) => void): Promise<Connected> {
  const { pageSize: _pageSize, ...clientSettings } = settings;
  const client = createGrinClient({ ...clientSettings, onEvent });
  try {
    await client.probe(signal);
    return client;
  } catch (error) {
    await client.close().catch(() => undefined);
    throw error;
  }
}

/** Resolves like `work`, or rejects with the abort reason; a result arriving late is disposed. */
function abortable<T>(work: Promise<T>, signal: AbortSignal, dispose: (late: T) => void): Promise<T> {
  if (signal.aborted) {
    void work.then(dispose, () => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      void work.then(dispose, () => undefined);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) dispose(value);
        else resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Only string values can be handed to the thread. */
function plainEnv(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** One log line for a client event (never contains secrets: tokens travel in headers). */
export function describeClientEvent(event: ClientEvent): string | null {
  switch (event.type) {
    case 'retry':
      return `retrying in ${(event.delayMs / 1000).toFixed(1)} s (attempt ${event.attempt} failed: ${event.message})`;
    case 'token-refresh':
      return event.reason === 'expiry' || event.reason === 'missing' ? null : `access token refreshed (${event.reason})`;
    case 'credentials-write-failed':
      return `warning: could not save the refreshed access token: ${event.message}`;
    case 'throttled':
    case 'redirect':
      return null;
  }
}
