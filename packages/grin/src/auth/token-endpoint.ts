import { request, type Dispatcher } from 'undici';
import { AuthRefusedError, ProtocolError, ServerError } from '../errors.js';
import { toNetworkError } from '../http/network-error.js';

/** A successful token endpoint answer. */
export interface TokenResponse {
  accessToken: string;
  /** Seconds, when the server said. */
  expiresIn: number | null;
  refreshToken: string | null;
  scope: string | null;
}

export interface TokenEndpointOptions {
  dispatcher?: Dispatcher | undefined;
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
}

/**
 * POSTs an OAuth2 form (`grant_type=refresh_token|authorization_code`) to the token endpoint.
 * 400/401 (invalid_grant, invalid_client) -> AuthRefusedError. Never includes secrets in errors.
 */
export async function postTokenRequest(
  tokenUri: string,
  form: Record<string, string>,
  options: TokenEndpointOptions = {},
): Promise<TokenResponse> {
  const body = new URLSearchParams(form).toString();
  const timeoutMs = options.timeoutMs ?? 30_000;
  let response: Dispatcher.ResponseData;
  try {
    response = await request(tokenUri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body,
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      signal: options.signal ?? null,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw toNetworkError(error, tokenUri);
  }
  let text: string;
  try {
    text = await response.body.text();
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw toNetworkError(error, tokenUri);
  }
  const status = response.statusCode;
  let json: Record<string, unknown> | undefined;
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed === 'object' && parsed !== null) json = parsed as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  if (status === 400 || status === 401) {
    const code = typeof json?.['error'] === 'string' ? json['error'] : `HTTP ${status}`;
    throw new AuthRefusedError(`The OAuth token endpoint refused the ${form['grant_type'] ?? ''} grant (${code}).`, {
      status,
      url: tokenUri,
    });
  }
  if (status === 429 || status >= 500) {
    throw new ServerError(`The OAuth token endpoint answered HTTP ${status}.`, { status, url: tokenUri });
  }
  if (status !== 200 || json === undefined) {
    throw new ProtocolError(`The OAuth token endpoint answered HTTP ${status} without a JSON token.`, { status, url: tokenUri });
  }
  const accessToken = json['access_token'];
  if (typeof accessToken !== 'string' || accessToken === '') {
    throw new ProtocolError('The OAuth token endpoint answer has no access_token.', { status, url: tokenUri });
  }
  const expiresIn = Number(json['expires_in']);
  const refreshToken = json['refresh_token'];
  const scope = json['scope'];
  return {
    accessToken,
    expiresIn: Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : null,
    refreshToken: typeof refreshToken === 'string' && refreshToken !== '' ? refreshToken : null,
    scope: typeof scope === 'string' ? scope : null,
  };
}

