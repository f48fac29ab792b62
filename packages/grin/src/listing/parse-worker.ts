// Worker-thread entry of the listing parser (see ParseWorkerThread). Two modes: parse bytes the
// main thread forwards, or fetch the page itself so the body is read and parsed here even
// while the main thread is busy (e.g. writing SQLite).
import { TextDecoder } from 'node:util';
import { parentPort } from 'node:worker_threads';
import { Agent } from 'undici';
import { ListingParser } from './listing-parser.js';
import { PACKED_BATCH_ROWS } from './page-rows.js';
import { PARSE_ERROR, type FromParseWorker, type ToParseWorker, type WorkerFetchRequest } from './parse-worker-protocol.js';

/** Rows per batch sent back while a page is still arriving (one packed string each). */
const ROW_BATCH = PACKED_BATCH_ROWS;

interface Session {
  decoder: TextDecoder;
  parser: ListingParser;
}

const port = parentPort;
if (port === null) throw new Error('parse-worker must run in a worker thread');
const sessions = new Map<number, Session>();
const fetches = new Map<number, AbortController>();
const agents = new Map<string, Agent>();

function reply(message: FromParseWorker): void {
  (port as NonNullable<typeof port>).postMessage(message);
}

function newSession(): Session {
  return { decoder: new TextDecoder('utf-8'), parser: new ListingParser({ packBatchRows: ROW_BATCH }) };
}

/** Feeds bytes; sends finished rows as their batches close. */
function feed(id: number, session: Session, bytes: Uint8Array): void {
  session.parser.write(session.decoder.decode(bytes, { stream: true }));
  for (const packed of session.parser.takePacked()) reply({ t: 'rows', id, packed });
}

function finish(id: number, session: Session): void {
  session.parser.write(session.decoder.decode());
  const { rows: _none, ...page } = session.parser.end();
  const batches = session.parser.takePacked();
  const last = batches.pop() ?? '0';
  for (const packed of batches) reply({ t: 'rows', id, packed });
  reply({ t: 'done', id, packed: last, page });
}

function fail(id: number, error: unknown, parse: boolean): void {
  const code = parse ? PARSE_ERROR : (error as { code?: unknown } | null)?.code;
  reply({ t: 'error', id, message: error instanceof Error ? error.message : String(error), code: typeof code === 'string' ? code : undefined });
}

function agentFor(request: WorkerFetchRequest): Agent {
  const key = `${request.origin} ${request.connections} ${request.connectTimeoutMs}`;
  let agent = agents.get(key);
  if (!agent) {
    agent = new Agent({ connections: request.connections, keepAliveTimeout: 30_000, connect: { timeout: request.connectTimeoutMs } });
    agents.set(key, agent);
  }
  return agent;
}

async function runFetch(id: number, request: WorkerFetchRequest, signal: AbortSignal): Promise<void> {
  let headSent = false;
  let parsing = false;
  try {
    const response = await agentFor(request).request({
      origin: request.origin,
      path: request.path,
      method: 'GET',
      headers: request.headers,
      signal,
      headersTimeout: request.idleTimeoutMs,
      bodyTimeout: request.idleTimeoutMs,
    });
    reply({ t: 'head', id, status: response.statusCode, headers: response.headers });
    headSent = true;
    if (response.statusCode < 200 || response.statusCode >= 300) {
      await response.body.dump().catch(() => undefined);
      reply({ t: 'closed', id });
      return;
    }
    const session = newSession();
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      parsing = true;
      feed(id, session, chunk);
      parsing = false;
    }
    parsing = true;
    finish(id, session);
  } catch (error) {
    if (!signal.aborted) fail(id, error, parsing);
    else if (headSent) reply({ t: 'closed', id });
  } finally {
    fetches.delete(id);
  }
}

port.on('message', (message: ToParseWorker) => {
  const { id } = message;
  try {
    switch (message.t) {
      case 'start':
        sessions.set(id, newSession());
        break;
      case 'chunk': {
        const session = sessions.get(id);
        if (session) feed(id, session, new Uint8Array(message.buf));
        break;
      }
      case 'end': {
        const session = sessions.get(id);
        sessions.delete(id);
        if (session) finish(id, session);
        else fail(id, new Error('unknown parse session'), true);
        break;
      }
      case 'fetch': {
        const controller = new AbortController();
        fetches.set(id, controller);
        void runFetch(id, message.request, controller.signal);
        break;
      }
      case 'abort':
        sessions.delete(id);
        fetches.get(id)?.abort();
        break;
      default:
    }
  } catch (error) {
    sessions.delete(id);
    fail(id, error, true);
  }
});
