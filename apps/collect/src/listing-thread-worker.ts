// Worker-thread entry: owns the GRIN client, probes the credentials, then walks the listing one
// page ahead of the main thread, so fetching and parsing page k+1 runs on another core while the
// main thread stores page k (a synchronous SQLite transaction that blocks its event loop).
import { parentPort, workerData } from 'node:worker_threads';
import { createGrinClient, warmUpListingParser, type GrinClient, type PackedListingPage } from '@grin/client';
import { serializeError, type FromListingThread, type ThreadClientSettings, type ToListingThread } from './listing-thread-protocol.js';

const port = parentPort;
if (port === null) throw new Error('listing-thread-worker must run in a worker thread');
const settings = workerData as ThreadClientSettings;
const send = (message: FromListingThread): void => port.postMessage(message);

interface Walk {
  id: number;
  iterator: AsyncIterator<PackedListingPage>;
  controller: AbortController;
}

let client: GrinClient | null = null;
let walk: Walk | null = null;

async function init(): Promise<void> {
  try {
    client = createGrinClient({
      libraryDirectory: settings.libraryDirectory,
      baseUrl: settings.baseUrl,
      ...(settings.credentialsDir === undefined ? {} : { credentialsDir: settings.credentialsDir }),
      env: settings.env,
      // This thread is already off the main thread: parse here, no second worker.
      parseIn: settings.parseIn ?? 'main',
      ...(settings.retry ? { retry: settings.retry } : {}),
      ...(settings.requestsPerSecond === undefined ? {} : { requestsPerSecond: settings.requestsPerSecond }),
      ...(settings.rateBurst === undefined ? {} : { rateBurst: settings.rateBurst }),
      ...(settings.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: settings.idleTimeoutMs }),
      onEvent: (event) => send({ t: 'event', event }),
    });
    const probing = client.probe();
    probing.catch(() => undefined); // awaited below; must not be reported unhandled meanwhile
    warmUpListingParser();
    await probing;
    send({ t: 'ready', libraryUrl: client.libraryUrl });
  } catch (error) {
    send({ t: 'init-error', error: serializeError(error) });
  }
}

/** Hands the next page to the main thread (the client then has the one after it in flight). */
async function pull(current: Walk): Promise<void> {
  try {
    const next = await current.iterator.next();
    if (next.done) {
      send({ t: 'end', walk: current.id });
      return;
    }
    send({ t: 'page', walk: current.id, page: next.value });
  } catch (error) {
    if (current.controller.signal.aborted) send({ t: 'stopped', walk: current.id });
    else send({ t: 'error', walk: current.id, error: serializeError(error) });
  }
}

async function stop(id: number): Promise<void> {
  const current = walk;
  if (current && current.id === id) {
    walk = null;
    current.controller.abort(new Error('stopped by the collector'));
    await current.iterator.return?.(undefined).catch(() => undefined);
  }
  send({ t: 'stopped', walk: id });
}

port.on('message', (message: ToListingThread) => {
  switch (message.t) {
    case 'start': {
      if (!client) return;
      const controller = new AbortController();
      const iterator = client
        .listPackedPages(message.list, {
          pageSize: message.pageSize,
          startPageNumber: message.startPageNumber,
          signal: controller.signal,
          ...(message.startUrl === null ? {} : { startUrl: message.startUrl }),
        })
        [Symbol.asyncIterator]();
      walk = { id: message.walk, iterator, controller };
      void pull(walk);
      break;
    }
    case 'next':
      if (walk && walk.id === message.walk) void pull(walk);
      break;
    case 'stop':
      void stop(message.walk);
      break;
    case 'close':
      void (async () => {
        if (walk) await stop(walk.id).catch(() => undefined);
        await client?.close().catch(() => undefined);
        send({ t: 'closed' });
        port.close();
      })();
      break;
  }
});

void init();
