import type { IncomingHttpHeaders } from 'node:http';
import { Agent, type Dispatcher } from 'undici';
import { undiciExchange, type Exchange, type Exchanged, type UndiciBody } from './exchange.js';
import type { TokenProvider } from '../auth/token-provider.js';
import {
  AuthRefusedError,
  CursorRejectedError,
  GrinError,
  NotFoundError,
  PermissionError,
  ProtocolError,
  QueueFullError,
  RateLimitedError,
  ServerError,
} from '../errors.js';
import type { ClientEvent } from '../types.js';
import { parseRetryAfter } from './backoff.js';
import { toNetworkError } from './network-error.js';
import type { TokenBucket } from './rate-limiter.js';
import { Semaphore } from './semaphore.js';
import { abortReason, throwIfAborted } from './sleep.js';

export const MAX_REDIRECTS = 5;

export interface TransportOptions {
  tokenProvider: TokenProvider;
  limiter: TokenBucket;
  concurrency: number;
  connectTimeoutMs: number;
  idleTimeoutMs: number;
  clock: () => number;
  onEvent: (event: ClientEvent) => void;
  dispatcher?: Dispatcher | undefined;
}

export interface SendOptions {
  method?: 'GET' | 'HEAD';
  signal?: AbortSignal | undefined;
  /** A 3xx that is not a login redirect counts as success (credential probe). */
  redirectIsSuccess?: boolean;
  /** 429 means GRIN's conversion queue is full (`_process`). */
  queueFullOn429?: boolean;
  /** 400/410 mean the pagination cursor was rejected (listing URLs with first=/ctoken=). */
  cursorUrl?: boolean;
}

/** A successful response whose body the caller must consume or destroy (that frees the host slot). */
export interface GrinResponse<B = UndiciBody> {
  status: number;
  headers: IncomingHttpHeaders;
  body: B;
  /** Final URL after redirects. */
  url: string;
}

/**
 * One GRIN request attempt with everything that is not a retry: per-host concurrency slot,
 * rate limit, bearer token (refreshed once on 401 / login redirect), manual redirects (at most
 * {@link MAX_REDIRECTS}) and the mapping of error statuses to typed errors.
 */
export class HttpTransport {
  private readonly options: TransportOptions;
  private readonly agents = new Map<string, Agent>();
  private readonly slots = new Map<string, Semaphore>();
  private readonly defaultExchange: Exchange<UndiciBody>;
  private closed = false;

  constructor(options: TransportOptions) {
    this.options = options;
    this.defaultExchange = undiciExchange((origin) => this.dispatcherFor(origin));
  }

  /** True when requests go through an injected dispatcher (which only this thread can use). */
  get usesInjectedDispatcher(): boolean {
    return this.options.dispatcher !== undefined;
  }

  get connectTimeoutMs(): number {
    return this.options.connectTimeoutMs;
  }

  get concurrency(): number {
    return this.options.concurrency;
  }

  /** The dispatcher used for an origin (one keep-alive agent per host unless one was injected). */
  dispatcherFor(origin: string): Dispatcher {
    if (this.options.dispatcher) return this.options.dispatcher;
    let agent = this.agents.get(origin);
    if (!agent) {
      agent = new Agent({
        connections: this.options.concurrency,
        keepAliveTimeout: 30_000,
        connect: { timeout: this.options.connectTimeoutMs },
        headersTimeout: this.options.idleTimeoutMs,
        bodyTimeout: this.options.idleTimeoutMs,
      });
      this.agents.set(origin, agent);
    }
    return agent;
  }

  private slotFor(origin: string): Semaphore {
    let slot = this.slots.get(origin);
    if (!slot) {
      slot = new Semaphore(this.options.concurrency);
      this.slots.set(origin, slot);
    }
    return slot;
  }

  send(startUrl: string, options?: SendOptions): Promise<GrinResponse>;
  send<B>(startUrl: string, options: SendOptions, exchange: Exchange<B>): Promise<GrinResponse<B>>;
  async send<B>(startUrl: string, options: SendOptions = {}, exchange?: Exchange<B>): Promise<GrinResponse<B | UndiciBody>> {
    const perform: Exchange<B | UndiciBody> = exchange ?? this.defaultExchange;
    if (this.closed) throw new ProtocolError('The GRIN client is closed.', { url: startUrl });
    const { signal } = options;
    const method = options.method ?? 'GET';
    const startOrigin = new URL(startUrl).origin;
    let url = startUrl;
    let redirects = 0;
    let refreshed = false;
    let token = await this.options.tokenProvider.getAccessToken(signal);

    for (;;) {
      throwIfAborted(signal);
      const target = new URL(url);
      const sendToken = target.origin === startOrigin || isGoogleHost(target);
      const release = await this.slotFor(target.origin).acquire(signal);
      let response: Exchanged<B | UndiciBody>;
      try {
        await this.options.limiter.acquire(signal);
        response = await perform({
          origin: target.origin,
          path: `${target.pathname}${target.search}`,
          method,
          headers: sendToken ? { authorization: `Bearer ${token}` } : {},
          signal,
          idleTimeoutMs: this.options.idleTimeoutMs,
        });
      } catch (error) {
        release();
        if (signal?.aborted) throw abortReason(signal);
        throw toNetworkError(error, url);
      }
      const { status, headers, body } = response;
      response.done.then(release, release);

      if (status >= 200 && status < 300) return { status, headers, body, url };

      // Every other answer is decided from status + headers: free the connection first.
      await response.discard();
      release();

      const location = headerValue(headers['location']);
      const loginRedirect = status >= 300 && status < 400 && location !== undefined && isLoginRedirect(location);
      if (status === 401 || loginRedirect) {
        if (refreshed) {
          throw new AuthRefusedError(
            loginRedirect
              ? `GRIN redirected to the Google login page again after a token refresh (${url}).`
              : `GRIN answered 401 Unauthorized again after a token refresh (${url}).`,
            { status, url },
          );
        }
        refreshed = true;
        const reason = loginRedirect ? 'login-redirect' : 'unauthorized';
        token = await this.options.tokenProvider.refreshAfterRejection(token, reason, signal);
        continue;
      }
      if (status >= 300 && status < 400) {
        if (options.redirectIsSuccess) return { status, headers, body, url };
        if (location === undefined) {
          throw new ProtocolError(`HTTP ${status} without a Location header from ${url}.`, { status, url });
        }
        if (redirects >= MAX_REDIRECTS) {
          throw new ProtocolError(`More than ${MAX_REDIRECTS} redirects starting at ${startUrl}.`, { status, url });
        }
        redirects += 1;
        const next = new URL(location, url).toString();
        this.options.onEvent({ type: 'redirect', from: url, to: next });
        url = next;
        continue;
      }
      throw this.statusError(status, headers, url, options);
    }
  }

  private statusError(status: number, headers: IncomingHttpHeaders, url: string, options: SendOptions): GrinError {
    const retryAfterMs = parseRetryAfter(headers['retry-after'], this.options.clock());
    if (status === 403) {
      return new PermissionError(`GRIN denied access (HTTP 403) to ${url}.`, { status, url });
    }
    if (status === 404) return new NotFoundError(`Not found (HTTP 404): ${url}.`, { status, url });
    if (status === 429) {
      if (options.queueFullOn429) {
        return new QueueFullError(`GRIN's conversion queue is full (HTTP 429) for ${url}.`, { status, url });
      }
      this.options.onEvent({ type: 'throttled', url, status, retryAfterMs });
      return new RateLimitedError(`GRIN throttled the request (HTTP 429): ${url}.`, { status, url, retryAfterMs });
    }
    if (status >= 500) {
      if (retryAfterMs !== null) this.options.onEvent({ type: 'throttled', url, status, retryAfterMs });
      return new ServerError(`GRIN answered HTTP ${status} for ${url}.`, { status, url, retryAfterMs });
    }
    if (options.cursorUrl && (status === 400 || status === 410)) {
      return new CursorRejectedError(`GRIN rejected the pagination link (HTTP ${status}): ${url}.`, { status, url });
    }
    return new ProtocolError(`Unexpected HTTP ${status} from ${url}.`, { status, url });
  }

  async close(): Promise<void> {
    this.closed = true;
    const agents = [...this.agents.values()];
    this.agents.clear();
    await Promise.all(agents.map((agent) => agent.close().catch(() => agent.destroy())));
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** GRIN sends stale-token requests to the Google login page. */
export function isLoginRedirect(location: string): boolean {
  return /accounts\.google\.com\/.*ServiceLogin/i.test(location) || /accounts\.google\.com\/(v3\/)?signin/i.test(location);
}

function isGoogleHost(url: URL): boolean {
  return url.protocol === 'https:' && (url.hostname === 'google.com' || url.hostname.endsWith('.google.com'));
}
