import type { Dispatcher } from 'undici';
import type { TokenRefreshReason } from '../types.js';
import { abortReason } from '../http/sleep.js';
import { readCredentials, writeCredentials, type StoredCredentials } from './credential-files.js';
import { postTokenRequest } from './token-endpoint.js';
import type { RejectionReason, TokenProvider } from './token-provider.js';

export interface OAuthTokenProviderOptions {
  credentialsDir: string;
  clock?: () => number;
  dispatcher?: Dispatcher | undefined;
  /** Refresh this long before the stored expiry. Default 60 s. */
  refreshSkewMs?: number;
  /** Timeout of one token-endpoint exchange. Default 30 s. */
  timeoutMs?: number;
  onRefresh?: (reason: TokenRefreshReason) => void;
  /** Called when the refreshed token could not be written back (the token still works in memory). */
  onPersistError?: (error: Error) => void;
}

/**
 * OAuth2 refresh-token provider backed by `credentials.json`. The file is read on first use;
 * refreshed tokens (and their expiry) are written back atomically. One refresh at a time is
 * shared by every caller waiting for it.
 */
export class OAuthTokenProvider implements TokenProvider {
  private readonly options: OAuthTokenProviderOptions;
  private readonly clock: () => number;
  private credentials: StoredCredentials | null = null;
  private loading: Promise<StoredCredentials> | null = null;
  private inflight: Promise<string> | null = null;
  /** Number of refresh-token grants performed (diagnostics/tests). */
  refreshCount = 0;

  constructor(options: OAuthTokenProviderOptions) {
    this.options = options;
    this.clock = options.clock ?? Date.now;
  }

  async getAccessToken(signal?: AbortSignal): Promise<string> {
    const creds = await this.load();
    if (this.inflight) return raceAbort(this.inflight, signal);
    if (creds.token !== null) {
      if (creds.expiry === null) return creds.token; // unknown expiry: a 401 will trigger the refresh
      const skew = this.options.refreshSkewMs ?? 60_000;
      if (this.clock() < Date.parse(creds.expiry) - skew) return creds.token;
    }
    return raceAbort(this.refresh(creds.token === null ? 'missing' : 'expiry'), signal);
  }

  async refreshAfterRejection(rejectedToken: string, reason: RejectionReason, signal?: AbortSignal): Promise<string> {
    const creds = await this.load();
    if (this.inflight) return raceAbort(this.inflight, signal);
    if (creds.token !== null && creds.token !== rejectedToken) return creds.token;
    return raceAbort(this.refresh(reason), signal);
  }

  private load(): Promise<StoredCredentials> {
    if (this.credentials) return Promise.resolve(this.credentials);
    this.loading ??= readCredentials(this.options.credentialsDir).then(
      (creds) => {
        this.credentials = creds;
        return creds;
      },
      (error: unknown) => {
        this.loading = null; // let a later call retry after the user fixed the file
        throw error;
      },
    );
    return this.loading;
  }

  /** Starts (or joins) the shared refresh. Not tied to one caller's signal. */
  private refresh(reason: TokenRefreshReason): Promise<string> {
    this.inflight ??= this.doRefresh(reason).finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  private async doRefresh(reason: TokenRefreshReason): Promise<string> {
    const creds = this.credentials;
    if (!creds) throw new Error('credentials not loaded'); // unreachable: load() precedes refresh()
    this.options.onRefresh?.(reason);
    this.refreshCount += 1;
    const answer = await postTokenRequest(
      creds.token_uri,
      {
        grant_type: 'refresh_token',
        refresh_token: creds.refresh_token,
        client_id: creds.client_id,
        client_secret: creds.client_secret,
      },
      { dispatcher: this.options.dispatcher, timeoutMs: this.options.timeoutMs },
    );
    const expiry = answer.expiresIn === null ? null : new Date(this.clock() + answer.expiresIn * 1000).toISOString();
    const updated: StoredCredentials = {
      ...creds,
      token: answer.accessToken,
      refresh_token: answer.refreshToken ?? creds.refresh_token,
      expiry,
    };
    this.credentials = updated;
    try {
      await writeCredentials(this.options.credentialsDir, updated);
    } catch (error) {
      this.options.onPersistError?.(error as Error);
    }
    return answer.accessToken;
  }
}

/** Resolves/rejects like `promise`, or rejects early when `signal` aborts (the promise keeps running). */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
