import type { IncomingHttpHeaders } from 'node:http';
import type { Exchange, Exchanged } from '../http/exchange.js';
import { abortReason } from '../http/sleep.js';
import { PageRows, type ParsedPage, type RowFormat } from './page-rows.js';
import type { ParseWorkerThread } from './parse-worker-thread.js';
import { workerError } from './worker-error.js';

export interface WorkerFetchOptions {
  connections: number;
  connectTimeoutMs: number;
}

/**
 * An exchange whose request is performed by the listing worker: the worker reads and parses a
 * 2xx body on its own thread, so a page keeps arriving and being parsed while the main thread
 * is busy with the previous one. The body is the parse result. Non-2xx answers come back as
 * status + headers (the worker drops their body) for the transport to handle as usual.
 */
export function workerFetchExchange(thread: ParseWorkerThread, options: WorkerFetchOptions, format: RowFormat): Exchange<Promise<ParsedPage>> {
  return (request) =>
    new Promise<Exchanged<Promise<ParsedPage>>>((resolveHead, rejectHead) => {
      const { signal } = request;
      if (signal?.aborted) {
        rejectHead(abortReason(signal));
        return;
      }
      const rows = new PageRows(format);
      let headSeen = false;
      let resolveBody!: (parsed: ParsedPage) => void;
      let rejectBody!: (error: unknown) => void;
      const body = new Promise<ParsedPage>((res, rej) => {
        resolveBody = res;
        rejectBody = rej;
      });
      body.catch(() => undefined); // the caller awaits it; a failure must not also be unhandled
      let resolveDone!: () => void;
      const done = new Promise<void>((res) => (resolveDone = res));

      const settle = (error: unknown): void => {
        thread.finish(id);
        signal?.removeEventListener('abort', onAbort);
        resolveDone();
        if (headSeen) rejectBody(error);
        else rejectHead(error);
      };
      const onAbort = (): void => {
        thread.post({ t: 'abort', id });
        settle(abortReason(signal as AbortSignal));
      };
      const id = thread.open((message) => {
        switch (message.t) {
          case 'head':
            headSeen = true;
            resolveHead({
              status: message.status,
              headers: message.headers as IncomingHttpHeaders,
              body,
              discard: () => done, // the worker drops a non-2xx body itself
              done,
            });
            return;
          case 'rows':
            rows.addPacked(message.packed);
            return;
          case 'done': {
            rows.addPacked(message.packed);
            thread.finish(id);
            signal?.removeEventListener('abort', onAbort);
            resolveDone();
            resolveBody({ ...message.page, rows });
            return;
          }
          case 'closed':
            thread.finish(id);
            signal?.removeEventListener('abort', onAbort);
            resolveDone();
            return;
          case 'error':
            settle(workerError(message));
            return;
          default:
        }
      }, settle);
      signal?.addEventListener('abort', onAbort, { once: true });
      thread.await(id);
      thread.post({
        t: 'fetch',
        id,
        request: {
          origin: request.origin,
          path: request.path,
          headers: request.headers,
          idleTimeoutMs: request.idleTimeoutMs,
          connectTimeoutMs: options.connectTimeoutMs,
          connections: options.connections,
        },
      });
    });
}
