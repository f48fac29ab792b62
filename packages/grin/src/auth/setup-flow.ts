import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import type { Dispatcher } from 'undici';
import { AuthRefusedError, GrinError } from '../errors.js';
import { abortReason } from '../http/sleep.js';
import { GRIN_SCOPES, readClientSecret, writeCredentials, type StoredCredentials } from './credential-files.js';
import { postTokenRequest } from './token-endpoint.js';

export interface AuthSetupOptions {
  credentialsDir: string;
  /** `'loopback'`: open a browser, receive the redirect on 127.0.0.1. `'paste'`: the user pastes the redirected URL or the code. */
  mode: 'loopback' | 'paste';
  /** Opens the authorisation URL. Default: the platform's opener (failures ignored). Not called in paste mode. */
  openBrowser?: (url: string) => void | Promise<void>;
  /** Where instructions are printed (never secrets). */
  print: (line: string) => void;
  /** Paste mode: where the pasted URL/code is read from (one line). Default process.stdin. */
  input?: NodeJS.ReadableStream;
  /** How long to wait for the user. Default 5 minutes. */
  timeoutMs?: number;
  signal?: AbortSignal;
  dispatcher?: Dispatcher;
  clock?: () => number;
  scopes?: readonly string[];
}

export interface AuthSetupResult {
  credentialsPath: string;
  scopes: string[];
}

interface Pkce {
  verifier: string;
  challenge: string;
}

export function createPkce(): Pkce {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}

/** Builds the Google authorisation URL (offline access, consent prompt, PKCE S256). */
export function buildAuthUrl(authUri: string, params: {
  clientId: string;
  redirectUri: string;
  scopes: readonly string[];
  state: string;
  codeChallenge: string;
}): string {
  const url = new URL(authUri);
  url.searchParams.set('client_id', params.clientId);
  url.searchParams.set('redirect_uri', params.redirectUri);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', params.scopes.join(' '));
  url.searchParams.set('state', params.state);
  url.searchParams.set('code_challenge', params.codeChallenge);
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('access_type', 'offline');
  url.searchParams.set('prompt', 'consent');
  return url.toString();
}

/** Extracts the code from what the user pasted: the redirected URL, a query string, or the bare code. */
export function parsePastedCode(pasted: string, expectedState: string): string {
  const text = pasted.trim();
  if (text === '') throw new AuthRefusedError('Nothing was pasted.', { hint: 'Paste the full URL the browser was redirected to.' });
  let params: URLSearchParams | null = null;
  if (/^https?:\/\//i.test(text)) params = new URL(text).searchParams;
  else if (text.includes('code=') || text.includes('error=')) params = new URLSearchParams(text.replace(/^[^?]*\?/, ''));
  if (params === null) return text;
  return codeFromParams(params, expectedState);
}

function codeFromParams(params: URLSearchParams, expectedState: string): string {
  const error = params.get('error');
  if (error !== null) throw new AuthRefusedError(`Authorisation was not granted (${error}).`);
  const state = params.get('state');
  if (state !== null && state !== expectedState) {
    throw new AuthRefusedError('The authorisation answer does not belong to this request (state mismatch).', {
      hint: 'Start the setup again and use the URL it prints.',
    });
  }
  const code = params.get('code');
  if (code === null || code === '') throw new AuthRefusedError('The authorisation answer carries no code.');
  return code;
}

/** Opens a URL with the platform's browser opener; failures are ignored (the URL is printed anyway). */
export function defaultOpenBrowser(url: string): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(command, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // No opener available: the user opens the printed URL.
  }
}

/**
 * `grin-auth setup`: OAuth2 authorisation-code flow for an installed (Desktop) client with
 * PKCE S256 and a state check. The redirect goes to a loopback server on 127.0.0.1 (random
 * port). In paste mode the same server still listens (in case the browser is local), and the
 * user may paste the redirected URL or the code instead. Writes credentials.json (0600).
 */
export async function runAuthSetup(options: AuthSetupOptions): Promise<AuthSetupResult> {
  const secret = await readClientSecret(options.credentialsDir);
  const scopes = [...(options.scopes ?? GRIN_SCOPES)];
  const pkce = createPkce();
  const state = randomBytes(16).toString('base64url');
  const clock = options.clock ?? Date.now;
  const controller = new AbortController();
  const outer = options.signal;
  const onAbort = (): void => controller.abort(outer?.reason);
  if (outer?.aborted) throw abortReason(outer);
  outer?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(
    () => controller.abort(new AuthRefusedError('Timed out waiting for the authorisation.', { hint: 'Run the setup again.' })),
    options.timeoutMs ?? 300_000,
  );

  const loopback = await startLoopbackServer(state, controller.signal);
  try {
    const redirectUri = `http://127.0.0.1:${loopback.port}/`;
    const authUrl = buildAuthUrl(secret.authUri, {
      clientId: secret.clientId,
      redirectUri,
      scopes,
      state,
      codeChallenge: pkce.challenge,
    });
    options.print('Open this URL in a browser and grant access to GRIN:');
    options.print(`  ${authUrl}`);
    const waits: Promise<string>[] = [loopback.code];
    if (options.mode === 'paste') {
      options.print('');
      options.print('After granting access the browser is sent to a 127.0.0.1 address that may fail to load');
      options.print('(that is expected on a remote server). Copy that full address from the browser and paste it here:');
      waits.push(readPasted(options.input ?? process.stdin, state, controller.signal));
    } else {
      options.print('Waiting for the browser to come back…');
      await (options.openBrowser ?? defaultOpenBrowser)(authUrl);
    }
    const code = await Promise.race(waits);
    const answer = await postTokenRequest(
      secret.tokenUri,
      {
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        client_id: secret.clientId,
        client_secret: secret.clientSecret,
        code_verifier: pkce.verifier,
      },
      { dispatcher: options.dispatcher, signal: controller.signal },
    );
    if (answer.refreshToken === null) {
      throw new AuthRefusedError('Google returned no refresh token.', {
        hint: 'Remove the app\'s access at https://myaccount.google.com/permissions and run the setup again.',
      });
    }
    const credentials: StoredCredentials = {
      token: answer.accessToken,
      refresh_token: answer.refreshToken,
      token_uri: secret.tokenUri,
      client_id: secret.clientId,
      client_secret: secret.clientSecret,
      scopes: answer.scope !== null ? answer.scope.split(/\s+/).filter(Boolean) : scopes,
      expiry: answer.expiresIn === null ? null : new Date(clock() + answer.expiresIn * 1000).toISOString(),
    };
    const credentialsPath = await writeCredentials(options.credentialsDir, credentials);
    options.print(`Credentials saved to ${credentialsPath}`);
    return { credentialsPath, scopes: credentials.scopes };
  } catch (error) {
    if (controller.signal.aborted && !(error instanceof GrinError)) throw abortReason(controller.signal);
    throw error;
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onAbort);
    controller.abort();
    await loopback.close();
  }
}

interface LoopbackServer {
  port: number;
  /** Resolves with the authorisation code delivered to the redirect URI. */
  code: Promise<string>;
  close(): Promise<void>;
}

async function startLoopbackServer(state: string, signal: AbortSignal): Promise<LoopbackServer> {
  let resolveCode!: (code: string) => void;
  let rejectCode!: (error: unknown) => void;
  const code = new Promise<string>((resolve, reject) => {
    resolveCode = resolve;
    rejectCode = reject;
  });
  code.catch(() => undefined);
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const params = url.searchParams;
    if (!params.has('code') && !params.has('error')) {
      res.writeHead(404).end();
      return;
    }
    try {
      const value = codeFromParams(params, state);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', connection: 'close' });
      res.end('<!doctype html><p>GRIN access granted. You can close this window and return to the terminal.</p>');
      resolveCode(value);
    } catch (error) {
      res.writeHead(400, { 'content-type': 'text/html; charset=utf-8', connection: 'close' });
      res.end(`<!doctype html><p>${(error as Error).message.replace(/[<&]/g, '')}</p>`);
      rejectCode(error);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const onAbort = (): void => rejectCode(abortReason(signal));
  signal.addEventListener('abort', onAbort, { once: true });
  return {
    port: (server.address() as AddressInfo).port,
    code,
    close: () =>
      new Promise<void>((resolve) => {
        signal.removeEventListener('abort', onAbort);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readPasted(input: NodeJS.ReadableStream, state: string, signal: AbortSignal): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input, terminal: false });
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      fn();
      rl.close();
    };
    const onAbort = (): void => finish(() => reject(abortReason(signal)));
    signal.addEventListener('abort', onAbort, { once: true });
    rl.on('line', (line) => {
      if (line.trim() === '') return; // a stray Enter
      finish(() => {
        try {
          resolve(parsePastedCode(line, state));
        } catch (error) {
          reject(error);
        }
      });
    });
    rl.once('close', () =>
      finish(() =>
        reject(new AuthRefusedError('The input ended before a code was pasted.', { hint: 'Run the setup again and paste the redirected URL.' })),
      ),
    );
  });
}
