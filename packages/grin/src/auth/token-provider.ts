import { AuthRefusedError } from '../errors.js';

/** Why a token is being replaced after GRIN rejected it. */
export type RejectionReason = 'unauthorized' | 'login-redirect';

/** Supplies bearer tokens to the client. */
export interface TokenProvider {
  /** A token believed to be valid now (refreshed first when it is about to expire). */
  getAccessToken(signal?: AbortSignal): Promise<string>;
  /**
   * GRIN rejected `rejectedToken` (401, or a redirect to the Google login page). Returns a fresh
   * token. Concurrent callers share one refresh; if the token was already replaced since
   * `rejectedToken` was handed out, the current token is returned without another refresh.
   */
  refreshAfterRejection(rejectedToken: string, reason: RejectionReason, signal?: AbortSignal): Promise<string>;
}

/** A fixed token (tests, or tokens managed elsewhere). A rejection is final. */
export function staticTokenProvider(token: string): TokenProvider {
  return {
    getAccessToken: () => Promise.resolve(token),
    refreshAfterRejection: () =>
      Promise.reject(new AuthRefusedError('GRIN rejected the fixed access token and it cannot be refreshed.')),
  };
}
