import { Agent } from 'undici';
import { resolveCredentialsDir } from './auth/credential-files.js';
import { OAuthTokenProvider } from './auth/oauth-token-provider.js';
import type { ClientContext } from './client-context.js';
import { normaliseBaseUrl, positiveOption, validateLibraryDirectory } from './config.js';
import { downloadArchive, headArchive } from './archive.js';
import { requestConversion } from './conversion.js';
import { barcodeSearch } from './enrichment.js';
import { failedList } from './failed-list.js';
import { TokenBucket } from './http/rate-limiter.js';
import type { RetryPolicy } from './http/retry.js';
import { defaultSleep } from './http/sleep.js';
import { HttpTransport } from './http/transport.js';
import { listPackedPages, listPages } from './listing/list-pages.js';
import type { RowFormat } from './listing/page-rows.js';
import { MainThreadParseEngine, type ListingParseEngine } from './listing/parse-engine.js';
import { ParseWorkerThread } from './listing/parse-worker-thread.js';
import { workerFetchExchange } from './listing/worker-fetch.js';
import { WorkerParseEngine } from './listing/worker-parse-engine.js';
import { probe } from './probe.js';
import { textList } from './text-list.js';
import type { ClientEvent, GrinClient, GrinClientOptions, ParseLocation } from './types.js';

/** Where listing pages are parsed unless configured: chosen from `pnpm --filter @grin/client bench`. */
export const DEFAULT_PARSE_IN: ParseLocation = 'worker';

/** Creates a GRIN client. Validates the configuration synchronously (ConfigError). */
export function createGrinClient(options: GrinClientOptions): GrinClient {
  const libraryDirectory = validateLibraryDirectory(options.libraryDirectory);
  const baseUrl = normaliseBaseUrl(options.baseUrl);
  const libraryUrl = new URL(`${libraryDirectory}/`, baseUrl).toString();
  const concurrency = Math.floor(positiveOption('concurrency', options.concurrency, 5));
  const requestsPerSecond = positiveOption('requestsPerSecond', options.requestsPerSecond, 5, Number.MIN_VALUE, true);
  const rateBurst = positiveOption('rateBurst', options.rateBurst, Math.max(1, Number.isFinite(requestsPerSecond) ? requestsPerSecond : 1));
  const connectTimeoutMs = positiveOption('connectTimeoutMs', options.connectTimeoutMs, 10_000);
  const idleTimeoutMs = positiveOption('idleTimeoutMs', options.idleTimeoutMs, 60_000);
  const clock = options.clock ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const env = options.env ?? process.env;
  const onEvent = (event: ClientEvent): void => {
    try {
      options.onEvent?.(event);
    } catch {
      // A logging callback must not break requests.
    }
  };
  const retry: RetryPolicy = {
    attempts: Math.floor(positiveOption('retry.attempts', options.retry?.attempts, 6)),
    baseDelayMs: positiveOption('retry.baseDelayMs', options.retry?.baseDelayMs, 2_000, 0),
    maxDelayMs: positiveOption('retry.maxDelayMs', options.retry?.maxDelayMs, 60_000, 0),
    maxRetryAfterMs: 3_600_000,
    sleep,
    random,
    onEvent,
  };

  // Token refreshes go to another host (the OAuth endpoint): own agent unless one was injected.
  const authAgent = options.dispatcher ? null : new Agent({ connect: { timeout: connectTimeoutMs }, keepAliveTimeout: 10_000 });
  const tokenProvider =
    options.tokenProvider ??
    new OAuthTokenProvider({
      credentialsDir: resolveCredentialsDir(options.credentialsDir, env),
      clock,
      dispatcher: options.dispatcher ?? authAgent ?? undefined,
      onRefresh: (reason) => onEvent({ type: 'token-refresh', reason }),
      onPersistError: (error) => onEvent({ type: 'credentials-write-failed', message: error.message }),
    });

  const transport = new HttpTransport({
    tokenProvider,
    limiter: new TokenBucket({ ratePerSecond: requestsPerSecond, capacity: rateBurst, clock, sleep }),
    concurrency,
    connectTimeoutMs,
    idleTimeoutMs,
    clock,
    onEvent,
    dispatcher: options.dispatcher,
  });

  const mainEngine = new MainThreadParseEngine();
  let thread: ParseWorkerThread | null = null;
  let workerEngine: WorkerParseEngine | null = null;
  const fetchExchanges = new Map<RowFormat, ReturnType<typeof workerFetchExchange>>();
  const workerThread = (): ParseWorkerThread => (thread ??= new ParseWorkerThread());
  const ctx: ClientContext = {
    libraryUrl,
    transport,
    retry,
    concurrency,
    parseIn: options.parseIn ?? DEFAULT_PARSE_IN,
    parseEngine(location): ListingParseEngine {
      if (location === 'main') return mainEngine;
      workerEngine ??= new WorkerParseEngine(workerThread());
      return workerEngine;
    },
    workerFetch(format) {
      if (options.dispatcher) return null;
      let exchange = fetchExchanges.get(format);
      if (!exchange) {
        exchange = workerFetchExchange(workerThread(), { connections: concurrency, connectTimeoutMs }, format);
        fetchExchanges.set(format, exchange);
      }
      return exchange;
    },
  };

  let closing: Promise<void> | null = null;
  return {
    libraryUrl,
    probe: (signal) => probe(ctx, signal),
    listPages: (list, opts) => listPages(ctx, list, opts),
    listPackedPages: (list, opts) => listPackedPages(ctx, list, opts),
    textList: (list, opts) => textList(ctx, list, opts),
    failedList: (opts) => failedList(ctx, opts),
    requestConversion: (barcodes, opts) => requestConversion(ctx, barcodes, opts),
    barcodeSearch: (barcodes, opts) => barcodeSearch(ctx, barcodes, opts),
    headArchive: (barcode, opts) => headArchive(ctx, barcode, opts),
    downloadArchive: (barcode, opts) => downloadArchive(ctx, barcode, opts),
    close(): Promise<void> {
      closing ??= Promise.all([
        transport.close(),
        thread?.close(),
        authAgent?.close().catch(() => authAgent.destroy()),
      ]).then(() => undefined);
      return closing;
    },
  };
}
