import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';

/** One HTTP request as the transport wants it performed. */
export interface ExchangeRequest {
  origin: string;
  /** Path and query. */
  path: string;
  method: 'GET' | 'HEAD';
  headers: Record<string, string>;
  signal: AbortSignal | undefined;
  idleTimeoutMs: number;
}

/** Status and headers of an answer, and its body in whatever form the exchange produces. */
export interface Exchanged<B> {
  status: number;
  headers: IncomingHttpHeaders;
  body: B;
  /** Drops the body unread (non-2xx answers); frees the connection. */
  discard(): Promise<void>;
  /** Settles once the body is fully consumed, failed or discarded: the host slot is then free. */
  done: Promise<void>;
}

/**
 * Performs one request. The default reads the body on the calling thread (an undici stream);
 * the listing worker performs the request and parses the body on its own thread.
 */
export type Exchange<B> = (request: ExchangeRequest) => Promise<Exchanged<B>>;

export type UndiciBody = Dispatcher.ResponseData['body'];

/** The default exchange: `dispatcher.request`, body left to the caller as a stream. */
export function undiciExchange(dispatcherFor: (origin: string) => Dispatcher): Exchange<UndiciBody> {
  return async (request) => {
    const response = await dispatcherFor(request.origin).request({
      origin: request.origin,
      path: request.path,
      method: request.method,
      headers: request.headers,
      signal: request.signal ?? null,
      headersTimeout: request.idleTimeoutMs,
      bodyTimeout: request.idleTimeoutMs,
    });
    const body = response.body;
    const done = new Promise<void>((resolve) => body.once('close', () => resolve()));
    return {
      status: response.statusCode,
      headers: response.headers,
      body,
      discard: () => body.dump().then(
        () => undefined,
        () => undefined,
      ),
      done,
    };
  };
}
