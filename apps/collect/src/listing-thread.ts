import type { Worker } from 'node:worker_threads';
import * as grinErrors from '@grin/client';
import { startModuleWorker, unpackListingRows } from '@grin/client';
import { MemoryPacer } from './memory-pacer.js';
import type { ClientEvent, GrinClient, ListingPage, ListingRow, ListPagesOptions, PackedListingPage } from '@grin/client';
import type { FromListingThread, SerializedError, ThreadClientSettings, ToListingThread, WalkMessage } from './listing-thread-protocol.js';

type ErrorClass = new (message: string, options?: grinErrors.GrinErrorOptions) => Error;
const ERROR_CLASSES: Record<string, ErrorClass> = {
  ConfigError: grinErrors.ConfigError,
  AuthMissingError: grinErrors.AuthMissingError,
  AuthRefusedError: grinErrors.AuthRefusedError,
  PermissionError: grinErrors.PermissionError,
  NotFoundError: grinErrors.NotFoundError,
  RateLimitedError: grinErrors.RateLimitedError,
  QueueFullError: grinErrors.QueueFullError,
  UnavailableError: grinErrors.UnavailableError,
  CursorRejectedError: grinErrors.CursorRejectedError,
  ServerError: grinErrors.ServerError,
  NetworkError: grinErrors.NetworkError,
  ProtocolError: grinErrors.ProtocolError,
};

/** Rebuilds a client error of the right class (exit codes and retries depend on it). */
export function deserializeError(e: SerializedError): Error {
  const Class = ERROR_CLASSES[e.name];
  if (Class) {
    const error = new Class(e.message, {
      ...(e.hint !== undefined ? { hint: e.hint } : {}),
      ...(e.status !== undefined ? { status: e.status } : {}),
      ...(e.url !== undefined ? { url: e.url } : {}),
      ...(e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}),
    });
    return error;
  }
  const error = new Error(`listing thread: ${e.message}`);
  if (e.stack !== undefined) error.stack = `${error.message}\n(listing thread) ${e.stack}`;
  return error;
}

/**
 * The GRIN client running in a worker thread, seen from the main thread as `listPages`: pages
 * arrive parsed, one page ahead, while the main thread is busy storing (its synchronous SQLite
 * transactions would otherwise stall the prefetch: no request can leave and no byte can be read
 * while the event loop is blocked).
 */
export class ListingThread implements Pick<GrinClient, 'listPages'> {
  private readonly queues = new Map<number, WalkMessage[]>();
  private readonly pacer = new MemoryPacer();
  private waiter: { walk: number; wake: () => void } | null = null;
  private nextWalk = 1;
  private failure: Error | null = null;
  private closed: Promise<void> | null = null;

  private constructor(
    private readonly worker: Worker,
    readonly libraryUrl: string,
  ) {}

  /** Starts the thread and probes the credentials there; rejects with the client's typed error. */
  static start(settings: ThreadClientSettings, onEvent: (event: ClientEvent) => void): Promise<ListingThread> {
    const worker = spawnWorker(settings);
    return new Promise((resolve, reject) => {
      let thread: ListingThread | null = null;
      worker.on('message', (message: FromListingThread) => {
        if (message.t === 'event') onEvent(message.event);
        else if (message.t === 'ready') resolve((thread = new ListingThread(worker, message.libraryUrl)));
        else if (message.t === 'init-error') {
          reject(deserializeError(message.error));
          void worker.terminate();
        } else if (thread && message.t !== 'closed') thread.receive(message);
      });
      const fail = (error: Error): void => {
        if (thread) thread.fail(error);
        else reject(error);
      };
      worker.on('error', fail);
      worker.on('exit', (code) => fail(new Error(`the listing thread exited (code ${code})`)));
    });
  }

  async *listPages(list: string, opts: ListPagesOptions = {}): AsyncGenerator<ListingPage> {
    const walk = this.nextWalk++;
    const signal = opts.signal;
    signal?.throwIfAborted();
    this.queues.set(walk, []);
    const onAbort = (): void => this.post({ t: 'stop', walk });
    signal?.addEventListener('abort', onAbort, { once: true });
    let finished = false;
    try {
      this.post({
        t: 'start',
        walk,
        list,
        pageSize: opts.pageSize ?? 10_000,
        startUrl: opts.startUrl ?? null,
        startPageNumber: opts.startPageNumber ?? 1,
      });
      for (let first = true; ; first = false) {
        if (!first) {
          this.post({ t: 'next', walk });
          // The consumer is done with the previous page: it is garbage now, so a collection here
          // frees it instead of promoting it (see MemoryPacer).
          this.pacer.afterPage();
        }
        const message = await this.take(walk, (m) => m.t !== 'stopped' || signal?.aborted === true);
        if (message.t === 'page') {
          yield unpackPage(message.page);
          continue;
        }
        finished = true;
        if (message.t === 'end') return;
        if (message.t === 'error') throw deserializeError(message.error);
        throw signal?.reason ?? new Error('listing stopped');
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (!finished && !this.failure) {
        // The consumer stopped early: abandon the prefetch and wait until the thread let go of it.
        this.post({ t: 'stop', walk });
        await this.take(walk, (m) => m.t === 'stopped').catch(() => undefined);
      }
      this.queues.delete(walk);
    }
  }

  /** Stops the walk and the client, then ends the thread. */
  close(): Promise<void> {
    this.closed ??= new Promise<void>((resolve) => {
      if (this.failure) {
        void this.worker.terminate().then(() => resolve());
        return;
      }
      const timer = setTimeout(() => void this.worker.terminate(), 5_000);
      this.worker.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.worker.removeAllListeners('error');
      this.worker.on('error', () => undefined);
      this.post({ t: 'close' });
    });
    return this.closed;
  }

  private post(message: ToListingThread): void {
    if (!this.failure) this.worker.postMessage(message);
  }

  private receive(message: FromListingThread): void {
    if (!('walk' in message)) return;
    const queue = this.queues.get(message.walk);
    if (!queue) return; // a late message of a finished walk
    queue.push(message);
    if (this.waiter?.walk === message.walk) this.waiter.wake();
  }

  private fail(error: Error): void {
    if (this.failure || this.closed) return;
    this.failure = error;
    this.waiter?.wake();
  }

  /** The next message of `walk` accepted by `accept` (others are dropped). */
  private async take(walk: number, accept: (m: WalkMessage) => boolean): Promise<WalkMessage> {
    for (;;) {
      if (this.failure) throw this.failure;
      const queue = this.queues.get(walk) ?? [];
      const message = queue.shift();
      if (message) {
        if (accept(message)) return message;
        continue;
      }
      await new Promise<void>((wake) => (this.waiter = { walk, wake }));
      this.waiter = null;
    }
  }
}

/** The page with its rows unpacked (the main thread's only share of the listing work). */
function unpackPage(page: PackedListingPage): ListingPage {
  const rows: ListingRow[] = [];
  for (const packed of page.packedRows) for (const row of unpackListingRows(packed)) rows.push(row);
  return { pageNumber: page.pageNumber, url: page.url, rows, rowsWithoutBarcode: page.rowsWithoutBarcode, nextUrl: page.nextUrl };
}

/**
 * Heap limits of the listing thread. Its rows are packed as they are parsed, so nearly all of its
 * garbage dies young and the old generation stays at its live size (~25 MB); a 16 MB young
 * generation keeps the RSS down at no measurable cost (an 8 MB one, with row objects living for a
 * whole page, made scavenges and promotions cost more than the parse itself). The old-generation
 * cap only guards against runaway growth and scales with the page size so big pages still fit.
 */
function heapLimits(pageSize: number): { maxYoungGenerationSizeMb: number; maxOldGenerationSizeMb: number } {
  return { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: Math.max(160, Math.ceil(pageSize / 1000) * 16) };
}

/**
 * Started with @grin/client's `startModuleWorker` (it also runs from TypeScript sources).
 */
function spawnWorker(settings: ThreadClientSettings): Worker {
  return startModuleWorker(import.meta.url, 'listing-thread-worker', { workerData: settings, resourceLimits: heapLimits(settings.pageSize ?? 10_000) });
}
