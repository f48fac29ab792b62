import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { bodyText, startFixtureServer, type FixtureServer } from './fixture-server.js';

export interface OAuthFixture {
  server: FixtureServer;
  tokenUri: string;
  /** Tokens GRIN accepts right now. */
  valid: Set<string>;
  /** Refresh-token grants served. */
  refreshGrants: number;
  /** Code grants served (setup flow), with the form they carried. */
  codeGrants: Array<Record<string, string>>;
  refreshToken: string;
  /** Make the token endpoint answer invalid_grant. */
  revoked: boolean;
  /** Delay of the token endpoint (to make concurrent refreshes overlap). */
  tokenDelayMs: number;
  authUri: string;
  /** Query of every authorisation request. */
  authRequests: URLSearchParams[];
  /** Answer the authorisation with error=access_denied. */
  deny: boolean;
  /** Tamper with the state in the redirect. */
  wrongState: boolean;
  /** What GRIN does with a valid token on /libraries/Lib/...; default 200 "ok". */
  onResource: (res: ServerResponse, token: string) => void;
  /** How GRIN rejects an invalid token. */
  reject: 'status-401' | 'login-redirect';
  close(): Promise<void>;
}

/** An OAuth token endpoint plus a GRIN-like resource that accepts only issued tokens. */
export async function startOAuthFixture(): Promise<OAuthFixture> {
  let issued = 0;
  const fixture: OAuthFixture = {
    server: undefined as unknown as FixtureServer,
    tokenUri: '',
    valid: new Set(),
    refreshGrants: 0,
    codeGrants: [],
    refreshToken: 'refresh-secret-1',
    revoked: false,
    tokenDelayMs: 0,
    onResource: (res) => void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'),
    reject: 'status-401',
    authUri: '',
    authRequests: [],
    deny: false,
    wrongState: false,
    close: () => fixture.server.close(),
  };
  fixture.server = await startFixtureServer(async (req, res, url) => {
    if (url.pathname === '/o/oauth2/auth') {
      fixture.authRequests.push(url.searchParams);
      const redirect = new URL(url.searchParams.get('redirect_uri') ?? '');
      const state = url.searchParams.get('state') ?? '';
      if (fixture.deny) redirect.searchParams.set('error', 'access_denied');
      else redirect.searchParams.set('code', 'auth-code-1');
      redirect.searchParams.set('state', fixture.wrongState ? `${state}x` : state);
      res.writeHead(302, { location: redirect.toString() }).end();
      return;
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      const form = Object.fromEntries(new URLSearchParams(await bodyText(req)));
      if (fixture.tokenDelayMs > 0) await new Promise((r) => setTimeout(r, fixture.tokenDelayMs));
      const ok =
        !fixture.revoked &&
        form['client_id'] === 'client-id-1' &&
        form['client_secret'] === 'client-secret-1' &&
        ((form['grant_type'] === 'refresh_token' && form['refresh_token'] === fixture.refreshToken) ||
          (form['grant_type'] === 'authorization_code' && form['code'] === 'auth-code-1' && pkceMatches(form)));
      if (!ok) {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid_grant' }));
        return;
      }
      if (form['grant_type'] === 'refresh_token') fixture.refreshGrants += 1;
      else fixture.codeGrants.push(form);
      issued += 1;
      const token = `access-secret-${issued}`;
      fixture.valid.add(token);
      const answer: Record<string, unknown> = { access_token: token, expires_in: 3600, token_type: 'Bearer', scope: 'openid email' };
      if (form['grant_type'] === 'authorization_code') answer['refresh_token'] = fixture.refreshToken;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      return;
    }
    if (url.pathname.startsWith('/libraries/Lib/')) {
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      if (!fixture.valid.has(token)) {
        if (fixture.reject === 'login-redirect') {
          res.writeHead(302, { location: 'https://accounts.google.com/ServiceLogin?service=grin&continue=x' }).end();
        } else {
          res.writeHead(401).end();
        }
        return;
      }
      fixture.onResource(res, token);
      return;
    }
    res.writeHead(404).end();
  });
  fixture.tokenUri = `${fixture.server.url}/token`;
  fixture.authUri = `${fixture.server.url}/o/oauth2/auth`;
  const pkceMatches = (form: Record<string, string>): boolean => {
    const request = fixture.authRequests.at(-1);
    const verifier = form['code_verifier'] ?? '';
    return (
      request?.get('code_challenge_method') === 'S256' &&
      request.get('code_challenge') === createHash('sha256').update(verifier).digest('base64url') &&
      request.get('redirect_uri') === form['redirect_uri']
    );
  };
  return fixture;
}
