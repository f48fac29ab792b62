import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AuthMissingError,
  AuthRefusedError,
  createGrinClient,
  OAuthTokenProvider,
  writeCredentials,
  type ClientEvent,
  type GrinClient,
  type StoredCredentials,
} from '../src/index.js';
import { barcodeAt, listingPageHtml } from '../bench/listing-page-html.js';
import { fakeTime } from './helpers/fake-clock.js';
import { startOAuthFixture, type OAuthFixture } from './helpers/oauth-fixture.js';
import { makeTempDir } from './helpers/temp-dir.js';

let fixture: OAuthFixture;
let dir: { path: string; remove: () => Promise<void> };
let client: GrinClient | undefined;

beforeEach(async () => {
  fixture = await startOAuthFixture();
  dir = await makeTempDir();
});
afterEach(async () => {
  await client?.close();
  client = undefined;
  await fixture.close();
  await dir.remove();
});

function credentials(token: string | null, expiry: string | null): StoredCredentials {
  return {
    token,
    refresh_token: fixture.refreshToken,
    token_uri: fixture.tokenUri,
    client_id: 'client-id-1',
    client_secret: 'client-secret-1',
    scopes: ['openid'],
    expiry,
  };
}

function makeClient(time = fakeTime(), events: ClientEvent[] = []): GrinClient {
  client = createGrinClient({
    libraryDirectory: 'Lib',
    baseUrl: fixture.server.baseUrl,
    credentialsDir: dir.path,
    clock: time.clock,
    sleep: time.sleep,
    requestsPerSecond: Number.POSITIVE_INFINITY,
    onEvent: (e) => events.push(e),
    parseIn: 'main',
  });
  return client;
}

async function storedFile(): Promise<StoredCredentials> {
  return JSON.parse(await readFile(join(dir.path, 'credentials.json'), 'utf8')) as StoredCredentials;
}

describe('OAuth2 token handling', () => {
  it('refreshes shortly before expiry and persists the new token (0600) with its expiry', async () => {
    const time = fakeTime();
    fixture.valid.add('old-token');
    await writeCredentials(dir.path, credentials('old-token', new Date(time.clock() + 30_000).toISOString()));
    const events: ClientEvent[] = [];
    await makeClient(time, events).probe();
    expect(fixture.refreshGrants).toBe(1);
    expect(fixture.server.requests.filter((r) => r.path.startsWith('/libraries/')).map((r) => r.authorization)).toEqual([
      'Bearer access-secret-1',
    ]);
    const stored = await storedFile();
    expect(stored.token).toBe('access-secret-1');
    expect(stored.expiry).toBe(new Date(time.clock() + 3600_000).toISOString());
    expect(stored.refresh_token).toBe(fixture.refreshToken);
    expect((await stat(join(dir.path, 'credentials.json'))).mode & 0o777).toBe(0o600);
    expect(events).toContainEqual({ type: 'token-refresh', reason: 'expiry' });
  });

  it('uses a token that is not about to expire without refreshing', async () => {
    const time = fakeTime();
    fixture.valid.add('good-token');
    await writeCredentials(dir.path, credentials('good-token', new Date(time.clock() + 3600_000).toISOString()));
    await makeClient(time).probe();
    expect(fixture.refreshGrants).toBe(0);
  });

  it('refreshes exactly once on a 401 and retries with the new token', async () => {
    await writeCredentials(dir.path, credentials('stale-token', null));
    const events: ClientEvent[] = [];
    await makeClient(fakeTime(), events).probe();
    expect(fixture.refreshGrants).toBe(1);
    expect(fixture.server.requests.filter((r) => r.path.startsWith('/libraries/')).map((r) => r.authorization)).toEqual([
      'Bearer stale-token',
      'Bearer access-secret-1',
    ]);
    expect(events).toContainEqual({ type: 'token-refresh', reason: 'unauthorized' });
    // Never a token or secret in the events the apps log.
    const logged = JSON.stringify(events);
    for (const secret of ['stale-token', 'access-secret-1', fixture.refreshToken, 'client-secret-1']) expect(logged).not.toContain(secret);
  });

  it('refreshes once on a 401 for a listing page fetched by the worker thread', async () => {
    await writeCredentials(dir.path, credentials('stale-token', null));
    fixture.onResource = (res) =>
      void res.writeHead(200, { 'content-type': 'text/html' }).end(listingPageHtml(3, 0, null));
    client = createGrinClient({
      libraryDirectory: 'Lib',
      baseUrl: fixture.server.baseUrl,
      credentialsDir: dir.path,
      requestsPerSecond: Number.POSITIVE_INFINITY,
      parseIn: 'worker',
    });
    const pages = [];
    for await (const page of client.listPages('_all_books', { pageSize: 3 })) pages.push(page);
    expect(pages[0]?.rows.map((r) => r.barcode)).toEqual([barcodeAt(0), barcodeAt(1), barcodeAt(2)]);
    expect(fixture.refreshGrants).toBe(1);
    expect(fixture.server.requests.filter((r) => r.path.startsWith('/libraries/')).map((r) => r.authorization)).toEqual([
      'Bearer stale-token',
      'Bearer access-secret-1',
    ]);
  });

  it('treats a redirect to the Google login page like a 401', async () => {
    fixture.reject = 'login-redirect';
    await writeCredentials(dir.path, credentials('stale-token', null));
    const events: ClientEvent[] = [];
    await makeClient(fakeTime(), events).probe();
    expect(fixture.refreshGrants).toBe(1);
    expect(events).toContainEqual({ type: 'token-refresh', reason: 'login-redirect' });
  });

  it('shares one refresh among concurrent requests that all got 401', async () => {
    fixture.tokenDelayMs = 50;
    await writeCredentials(dir.path, credentials('stale-token', null));
    const c = makeClient();
    await Promise.all(Array.from({ length: 8 }, () => c.probe()));
    expect(fixture.refreshGrants).toBe(1);
    const authorised = fixture.server.requests.filter((r) => r.authorization === 'Bearer access-secret-1');
    expect(authorised).toHaveLength(8);
  });

  it('fails with AuthRefusedError when GRIN rejects the refreshed token too (one refresh only)', async () => {
    await writeCredentials(dir.path, credentials('stale-token', null));
    fixture.onResource = (res) => void res.writeHead(401).end();
    const error = await makeClient().probe().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthRefusedError);
    expect(fixture.refreshGrants).toBe(1);
  });

  it('fails with AuthRefusedError and a setup hint when the refresh token is revoked', async () => {
    fixture.revoked = true;
    await writeCredentials(dir.path, credentials(null, null));
    const error = (await makeClient().probe().catch((e: unknown) => e)) as AuthRefusedError;
    expect(error).toBeInstanceOf(AuthRefusedError);
    expect(error.code).toBe('auth_refused');
    expect(error.message).toContain('invalid_grant');
    expect(error.hint).toContain('pnpm run auth -- setup');
    expect(error.message + error.hint).not.toContain(fixture.refreshToken);
  });

  it('explains missing credentials, naming the file and the setup command', async () => {
    const error = (await makeClient().probe().catch((e: unknown) => e)) as AuthMissingError;
    expect(error).toBeInstanceOf(AuthMissingError);
    expect(error.code).toBe('auth_missing');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain(join(dir.path, 'credentials.json'));
    expect(error.hint).toContain('pnpm run auth -- setup');
    expect(fixture.server.requests).toHaveLength(0);
  });

  it('explains a malformed credentials file without quoting its content', async () => {
    await writeFile(join(dir.path, 'credentials.json'), '{"refresh_token": "half-secret-value", ');
    const error = (await makeClient().probe().catch((e: unknown) => e)) as AuthMissingError;
    expect(error).toBeInstanceOf(AuthMissingError);
    expect(error.message).toContain('credentials.json is not valid JSON');
    expect(error.message + error.hint).not.toContain('half-secret-value');
  });

  it('reads credentials from GRIN_CREDENTIALS_DIR in the injected env', async () => {
    fixture.valid.add('env-token');
    await writeCredentials(dir.path, credentials('env-token', null));
    client = createGrinClient({
      libraryDirectory: 'Lib',
      baseUrl: fixture.server.baseUrl,
      env: { GRIN_CREDENTIALS_DIR: dir.path },
      requestsPerSecond: Number.POSITIVE_INFINITY,
    });
    await client.probe();
    expect(fixture.server.requests[0]?.authorization).toBe('Bearer env-token');
  });

  it('counts refreshes on the provider (a direct user of the provider)', async () => {
    await writeCredentials(dir.path, credentials('stale-token', null));
    const provider = new OAuthTokenProvider({ credentialsDir: dir.path });
    const token = await provider.getAccessToken();
    expect(token).toBe('stale-token');
    const [a, b] = await Promise.all([
      provider.refreshAfterRejection('stale-token', 'unauthorized'),
      provider.refreshAfterRejection('stale-token', 'unauthorized'),
    ]);
    expect(a).toBe('access-secret-1');
    expect(b).toBe('access-secret-1');
    // A late rejection of the old token does not refresh again.
    expect(await provider.refreshAfterRejection('stale-token', 'unauthorized')).toBe('access-secret-1');
    expect(provider.refreshCount).toBe(1);
  });
});
