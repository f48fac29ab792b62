import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GRIN_SCOPES } from '../src/index.js';
import { httpRequest, type TestSim } from './helpers/http.js';
import { useTestSims } from './helpers/testSims.js';

const dirs: string[] = [];
// Registered before the simulators' hook, so it runs after it (vitest runs after-hooks in reverse).
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});
const sim = useTestSims();

function tokenRequest(t: TestSim, form: Record<string, string>): Promise<{ status: number; json: Record<string, unknown> }> {
  return httpRequest(t.sim.tokenUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  }).then((r) => ({ status: r.status, json: JSON.parse(r.text) as Record<string, unknown> }));
}

describe('OAuth endpoints', () => {
  it('runs the loopback authorization-code flow with PKCE and state', async () => {
    const t = await sim({ books: 10 });
    const verifier = randomBytes(48).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const redirect = 'http://127.0.0.1:58432/callback';
    const auth = new URL(t.sim.authUrl);
    Object.entries({
      client_id: t.sim.clientId, redirect_uri: redirect, response_type: 'code', scope: GRIN_SCOPES.join(' '),
      state: 'xyz-123', code_challenge: challenge, code_challenge_method: 'S256', access_type: 'offline', prompt: 'consent',
    }).forEach(([k, v]) => auth.searchParams.set(k, v));
    const res = await httpRequest(auth.toString());
    expect(res.status).toBe(302);
    const location = new URL(res.headers.location!);
    expect(`${location.origin}${location.pathname}`).toBe(redirect);
    expect(location.searchParams.get('state')).toBe('xyz-123');
    const code = location.searchParams.get('code')!;
    const base = { grant_type: 'authorization_code', code, redirect_uri: redirect, client_id: t.sim.clientId, client_secret: t.sim.clientSecret };

    const wrongVerifier = await tokenRequest(t, { ...base, code_verifier: randomBytes(48).toString('base64url') });
    expect(wrongVerifier).toMatchObject({ status: 400, json: { error: 'invalid_grant' } });
    // The code was consumed by the failed attempt: get a fresh one.
    const again = new URL((await httpRequest(auth.toString())).headers.location!).searchParams.get('code')!;
    const ok = await tokenRequest(t, { ...base, code: again, code_verifier: verifier });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    expect(typeof ok.json['access_token']).toBe('string');
    expect(typeof ok.json['refresh_token']).toBe('string');
    expect((await tokenRequest(t, { ...base, code: again, code_verifier: verifier })).status).toBe(400);

    const probe = await t.get(`${t.lib('')}?format=text&result_count=1`, { token: ok.json['access_token'] as string });
    expect(probe.status).toBe(200);
    const refreshed = await tokenRequest(t, { grant_type: 'refresh_token', refresh_token: ok.json['refresh_token'] as string, client_id: t.sim.clientId, client_secret: t.sim.clientSecret });
    expect(refreshed.status).toBe(200);
    expect(t.sim.stats()).toMatchObject({ tokensIssued: 2, authorizationCodeGrants: 1, refreshGrants: 1 });
  });

  it('checks the client and the refresh token', async () => {
    const t = await sim({ books: 10 });
    const good = { grant_type: 'refresh_token', refresh_token: t.sim.refreshToken, client_id: t.sim.clientId, client_secret: t.sim.clientSecret };
    expect((await tokenRequest(t, { ...good, client_secret: 'nope' })).json['error']).toBe('invalid_client');
    expect(await tokenRequest(t, { ...good, refresh_token: '1//forged' })).toMatchObject({ status: 400, json: { error: 'invalid_grant' } });
    expect((await tokenRequest(t, { ...good, grant_type: 'password' })).json['error']).toBe('unsupported_grant_type');
    const basic = Buffer.from(`${t.sim.clientId}:${t.sim.clientSecret}`).toString('base64');
    const viaBasic = await httpRequest(t.sim.tokenUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Basic ${basic}` },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: t.sim.refreshToken }).toString(),
    });
    expect(viaBasic.status).toBe(200);
    expect(t.sim.stats().refreshGrants).toBe(1);
  });

  it('expires access tokens on the injected clock and answers 401', async () => {
    let now = 1_000_000;
    const t = await sim({ books: 10, tokenLifetimeSeconds: 60, clock: () => now });
    const path = `${t.lib('')}?format=text&result_count=1`;
    expect((await t.get(path)).status).toBe(200);
    now += 59_000;
    expect((await t.get(path)).status).toBe(200);
    now += 2_000;
    const expired = await t.get(path);
    expect(expired.status).toBe(401);
    expect(expired.headers['www-authenticate']).toContain('invalid_token');
    expect((await t.get(path, { token: null })).status).toBe(401);
    expect((await t.get(path, { token: 'ya29.unknown' })).status).toBe(401);
    const fresh = await tokenRequest(t, { grant_type: 'refresh_token', refresh_token: t.sim.refreshToken, client_id: t.sim.clientId, client_secret: t.sim.clientSecret });
    expect(fresh.json['expires_in']).toBe(60);
    expect((await t.get(path, { token: fresh.json['access_token'] as string })).status).toBe(200);
    expect(t.sim.stats()).toMatchObject({ unauthorized: 3, refreshGrants: 1 });
  });

  it('can answer a stale token with the login redirect instead of 401', async () => {
    const t = await sim({ books: 10, unauthorizedStyle: 'login-redirect' });
    const res = await t.get(t.lib('_all_books'), { token: null });
    expect(res.status).toBe(302);
    expect(res.headers.location).toContain('accounts.google.com/ServiceLogin');
  });

  it('writes credential files the apps can use, private to the user', async () => {
    const t = await sim({ books: 10, passphrase: 'words of the test' });
    const dir = await mkdtemp(join(tmpdir(), 'grin-sim-cred-test-'));
    dirs.push(dir);
    await t.sim.writeCredentials(dir, { withAccessToken: true });
    const secret = JSON.parse(await readFile(join(dir, 'client_secret.json'), 'utf8'));
    expect(secret.installed).toMatchObject({ client_id: t.sim.clientId, client_secret: t.sim.clientSecret, auth_uri: t.sim.authUrl, token_uri: t.sim.tokenUrl, redirect_uris: ['http://127.0.0.1'] });
    const creds = JSON.parse(await readFile(join(dir, 'credentials.json'), 'utf8'));
    expect(creds).toMatchObject({ refresh_token: t.sim.refreshToken, token_uri: t.sim.tokenUrl, client_id: t.sim.clientId, scopes: [...GRIN_SCOPES] });
    expect(new Date(creds.expiry).getTime()).toBeGreaterThan(Date.now());
    expect((await t.get(t.lib('?format=text&result_count=1'), { token: creds.token })).status).toBe(200);
    expect(await readFile(join(dir, 'gpg_passphrase.asc'), 'utf8')).toBe('words of the test\n');
    for (const file of ['credentials.json', 'gpg_passphrase.asc', 'client_secret.json']) {
      expect((await stat(join(dir, file))).mode & 0o777).toBe(0o600);
    }
    await t.sim.writeCredentials(dir);
    expect(JSON.parse(await readFile(join(dir, 'credentials.json'), 'utf8'))).toMatchObject({ token: null, expiry: null });
  });
});
