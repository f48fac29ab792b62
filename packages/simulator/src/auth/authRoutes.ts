import type { IncomingMessage } from 'node:http';
import { GRIN_SCOPES, type TokenAuthority, verifyPkce } from './tokenAuthority.js';
import type { RequestRecorder } from '../http/requestRecorder.js';
import { htmlResponse, jsonResponse, type SimResponse } from '../http/simResponse.js';
import { escapeHtml } from '../listing/listingColumns.js';

const OOB = 'urn:ietf:wg:oauth:2.0:oob';
const MAX_FORM_BYTES = 64 * 1024;

/** GET authUrl: auto-approves (no user) and redirects back with `code` and `state`. */
export function handleAuthorize(query: URLSearchParams, authority: TokenAuthority): SimResponse {
  const clientId = query.get('client_id') ?? undefined;
  const redirectUri = query.get('redirect_uri') ?? '';
  if (clientId !== authority.clientId) return htmlResponse(401, errorHtml('invalid_client', 'The OAuth client was not found.'));
  if (query.get('response_type') !== 'code') return htmlResponse(400, errorHtml('unsupported_response_type', 'response_type must be code'));
  if (!isAllowedRedirect(redirectUri)) return htmlResponse(400, errorHtml('redirect_uri_mismatch', 'redirect_uri must be a loopback URL'));
  const method = query.get('code_challenge_method') ?? undefined;
  const challenge = query.get('code_challenge') ?? undefined;
  if (method !== undefined && method !== 'S256' && method !== 'plain') {
    return htmlResponse(400, errorHtml('invalid_request', 'code_challenge_method must be S256 or plain'));
  }
  const code = authority.createCode({
    redirectUri,
    scope: query.get('scope') ?? GRIN_SCOPES.join(' '),
    challenge,
    challengeMethod: challenge === undefined ? undefined : ((method ?? 'plain') as 'S256' | 'plain'),
  });
  if (redirectUri === OOB) {
    return htmlResponse(
      200,
      `<!DOCTYPE html><html><head><title>Success code=${escapeHtml(code)}</title></head><body>` +
        `<p>Please copy this code, switch to your application and paste it there:</p>` +
        `<textarea id="code" readonly>${escapeHtml(code)}</textarea></body></html>`,
    );
  }
  const target = new URL(redirectUri);
  target.searchParams.set('code', code);
  const state = query.get('state');
  if (state !== null) target.searchParams.set('state', state);
  target.searchParams.set('scope', query.get('scope') ?? GRIN_SCOPES.join(' '));
  return { status: 302, headers: { Location: target.toString(), 'Content-Length': 0 } };
}

/** POST tokenUrl: authorization_code and refresh_token grants. */
export async function handleToken(req: IncomingMessage, authority: TokenAuthority, recorder: RequestRecorder): Promise<SimResponse> {
  if (req.method !== 'POST') return jsonResponse(405, { error: 'invalid_request', error_description: 'POST required' });
  let form: URLSearchParams;
  try {
    form = await readForm(req);
  } catch {
    return jsonResponse(400, { error: 'invalid_request', error_description: 'unreadable body' });
  }
  const basic = parseBasic(req.headers.authorization);
  const clientId = form.get('client_id') ?? basic?.id;
  const clientSecret = form.get('client_secret') ?? basic?.secret;
  if (!authority.verifyClient(clientId, clientSecret)) {
    return jsonResponse(401, { error: 'invalid_client', error_description: 'The OAuth client was not found.' });
  }
  const grantType = form.get('grant_type');
  const scope = GRIN_SCOPES.join(' ');
  if (grantType === 'refresh_token') {
    if (!authority.verifyRefreshToken(form.get('refresh_token') ?? '')) {
      return jsonResponse(400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
    }
    const { accessToken } = authority.issueAccessToken();
    recorder.count('tokensIssued');
    recorder.count('refreshGrants');
    return jsonResponse(200, { access_token: accessToken, expires_in: authority.lifetimeSeconds, token_type: 'Bearer', scope });
  }
  if (grantType === 'authorization_code') {
    const grant = authority.consumeCode(form.get('code') ?? '');
    const redirectUri = form.get('redirect_uri');
    if (!grant || (redirectUri !== null && redirectUri !== grant.redirectUri) || !verifyPkce(grant, form.get('code_verifier') ?? undefined)) {
      return jsonResponse(400, { error: 'invalid_grant', error_description: 'Malformed auth code.' });
    }
    const { accessToken } = authority.issueAccessToken();
    recorder.count('tokensIssued');
    recorder.count('authorizationCodeGrants');
    return jsonResponse(200, {
      access_token: accessToken,
      expires_in: authority.lifetimeSeconds,
      token_type: 'Bearer',
      scope: grant.scope,
      refresh_token: authority.issueRefreshToken(),
    });
  }
  return jsonResponse(400, { error: 'unsupported_grant_type', error_description: `Invalid grant_type: ${grantType ?? ''}` });
}

function isAllowedRedirect(uri: string): boolean {
  if (uri === OOB) return true;
  try {
    const url = new URL(uri);
    return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  } catch {
    return false;
  }
}

function parseBasic(header: string | undefined): { id: string; secret: string } | undefined {
  const m = header === undefined ? null : /^Basic\s+(\S+)$/i.exec(header);
  if (!m) return undefined;
  const decoded = Buffer.from(m[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) throw new Error('form too large');
    parts.push(chunk as Buffer);
  }
  const text = Buffer.concat(parts).toString('utf8');
  if ((req.headers['content-type'] ?? '').includes('application/json')) {
    const value = JSON.parse(text) as Record<string, unknown>;
    return new URLSearchParams(Object.entries(value).map(([k, v]): [string, string] => [k, String(v)]));
  }
  return new URLSearchParams(text);
}

function errorHtml(code: string, message: string): string {
  return `<!DOCTYPE html><html><head><title>Error: ${code}</title></head><body><h1>Error 400: ${code}</h1><p>${escapeHtml(message)}</p></body></html>`;
}
