import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { grinAuthMain } from '../src/cli/grin-auth-main.js';
import { AuthRefusedError, createGrinClient, type StoredCredentials } from '../src/index.js';
import { runAuthSetup } from '../src/auth/setup-flow.js';
import { startOAuthFixture, type OAuthFixture } from './helpers/oauth-fixture.js';
import { makeTempDir } from './helpers/temp-dir.js';

let fixture: OAuthFixture;
let dir: { path: string; remove: () => Promise<void> };

beforeEach(async () => {
  fixture = await startOAuthFixture();
  dir = await makeTempDir();
  await writeFile(
    join(dir.path, 'client_secret.json'),
    JSON.stringify({
      installed: {
        client_id: 'client-id-1',
        client_secret: 'client-secret-1',
        auth_uri: fixture.authUri,
        token_uri: fixture.tokenUri,
        redirect_uris: ['http://127.0.0.1'],
      },
    }),
  );
});
afterEach(async () => {
  await fixture.close();
  await dir.remove();
});

/** The "browser": GETs the auth URL and follows the redirect to the loopback server. */
async function browser(url: string): Promise<void> {
  const answer = await fetch(url, { redirect: 'manual' });
  const location = answer.headers.get('location');
  if (location === null) throw new Error('no redirect from the auth endpoint');
  const back = await fetch(location);
  await back.text();
}

describe('grin-auth setup', () => {
  it('runs the loopback flow end to end (PKCE S256, state) and writes credentials.json 0600', async () => {
    const out: string[] = [];
    const result = await runAuthSetup({ credentialsDir: dir.path, mode: 'loopback', openBrowser: browser, print: (l) => out.push(l) });
    const stored = JSON.parse(await readFile(result.credentialsPath, 'utf8')) as StoredCredentials;
    expect(stored).toMatchObject({
      token: 'access-secret-1',
      refresh_token: fixture.refreshToken,
      token_uri: fixture.tokenUri,
      client_id: 'client-id-1',
      client_secret: 'client-secret-1',
      scopes: ['openid', 'email'],
    });
    expect(Date.parse(stored.expiry as string)).toBeGreaterThan(Date.now());
    expect((await stat(result.credentialsPath)).mode & 0o777).toBe(0o600);
    const request = fixture.authRequests[0] as URLSearchParams;
    expect(request.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(request.get('code_challenge_method')).toBe('S256');
    expect(request.get('access_type')).toBe('offline');
    expect(request.get('scope')).toContain('openid');
    expect(fixture.codeGrants).toHaveLength(1);
    // The printed URL is the one the browser opened; nothing secret is printed.
    expect(out.join('\n')).toContain(fixture.authUri);
    for (const secret of ['client-secret-1', 'access-secret-1', fixture.refreshToken]) expect(out.join('\n')).not.toContain(secret);

    // The credentials work for the client.
    fixture.valid.add('access-secret-1');
    const client = createGrinClient({ libraryDirectory: 'Lib', baseUrl: fixture.server.baseUrl, credentialsDir: dir.path });
    await client.probe();
    await client.close();
  });

  it('accepts a pasted redirect URL in --no-browser mode', async () => {
    const input = new PassThrough();
    const out: string[] = [];
    const done = runAuthSetup({
      credentialsDir: dir.path,
      mode: 'paste',
      input,
      print: (line) => {
        out.push(line);
        const m = /^\s+(http\S+)/.exec(line);
        if (m) {
          // The user opens the URL on another machine; the redirect fails there; they paste its address.
          void fetch(m[1] as string, { redirect: 'manual' }).then((r) => input.write(`${r.headers.get('location')}\n`));
        }
      },
    });
    const result = await done;
    expect(JSON.parse(await readFile(result.credentialsPath, 'utf8'))).toMatchObject({ refresh_token: fixture.refreshToken });
    expect(out.join('\n')).toContain('paste');
  });

  it('accepts a bare pasted code', async () => {
    const input = new PassThrough();
    const done = runAuthSetup({
      credentialsDir: dir.path,
      mode: 'paste',
      input,
      print: (line) => {
        if (/^\s+http/.test(line)) void fetch(line.trim(), { redirect: 'manual' }).then(() => input.write('auth-code-1\n'));
      },
    });
    await expect(done).resolves.toMatchObject({ scopes: ['openid', 'email'] });
  });

  it('rejects an answer with a foreign state', async () => {
    fixture.wrongState = true;
    const error = await runAuthSetup({ credentialsDir: dir.path, mode: 'loopback', openBrowser: browser, print: () => undefined }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthRefusedError);
    expect((error as Error).message).toContain('state');
    expect(fixture.codeGrants).toHaveLength(0);
  });

  it('reports a denied authorisation', async () => {
    fixture.deny = true;
    const error = await runAuthSetup({ credentialsDir: dir.path, mode: 'loopback', openBrowser: browser, print: () => undefined }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthRefusedError);
    expect((error as Error).message).toContain('access_denied');
  });

  it('CLI: setup via main(), and a clear error when client_secret.json is missing', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { stdout: (l: string) => out.push(l), stderr: (l: string) => err.push(l), openBrowser: browser, env: {} };
    expect(await grinAuthMain(['--', 'setup', '--credentials-dir', dir.path], io)).toBe(0);
    expect(out.at(-1)).toContain('credentials.json');

    const empty = await makeTempDir();
    try {
      expect(await grinAuthMain(['setup'], { ...io, env: { GRIN_CREDENTIALS_DIR: empty.path } })).toBe(1);
      expect(err.join('\n')).toContain(join(empty.path, 'client_secret.json'));
      expect(err.join('\n')).toContain('Desktop app');
    } finally {
      await empty.remove();
    }
    expect(await grinAuthMain(['bogus'], io)).toBe(2);
  });
});
