import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { AuthMissingError } from '../errors.js';

export const CLIENT_SECRET_FILES = ['client_secret.json', 'secrets.json'] as const;
export const CREDENTIALS_FILE = 'credentials.json';
export const SETUP_COMMAND = 'pnpm run auth -- setup';

export const GRIN_SCOPES = [
  'openid',
  'https://www.googleapis.com/auth/userinfo.email',
  'https://www.googleapis.com/auth/userinfo.profile',
] as const;

export const GOOGLE_AUTH_URI = 'https://accounts.google.com/o/oauth2/auth';
export const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';

/** The "installed" (Desktop app) OAuth client downloaded from the Google Cloud console. */
export interface ClientSecret {
  clientId: string;
  clientSecret: string;
  authUri: string;
  tokenUri: string;
  /** File it was read from. */
  path: string;
}

/** `credentials.json` exactly as stored (format shared with @grin/simulator). */
export interface StoredCredentials {
  token: string | null;
  refresh_token: string;
  token_uri: string;
  client_id: string;
  client_secret: string;
  scopes: string[];
  /** ISO time the access token expires, or null when unknown. */
  expiry: string | null;
}

/** `options.credentialsDir`, else env `GRIN_CREDENTIALS_DIR`, else `~/.config/grin`. */
export function resolveCredentialsDir(
  credentialsDir: string | undefined,
  env: Record<string, string | undefined>,
): string {
  if (credentialsDir !== undefined && credentialsDir !== '') return credentialsDir;
  const fromEnv = env['GRIN_CREDENTIALS_DIR'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const home = env['HOME'] !== undefined && env['HOME'] !== '' ? env['HOME'] : homedir();
  return join(home, '.config', 'grin');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringField(obj: Record<string, unknown>, key: string): string | undefined {
  const v = obj[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

async function readJson(path: string): Promise<unknown | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new AuthMissingError(`Cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    // The parse error message may quote file content (secrets), so it is not included.
    throw new AuthMissingError(`${path} is not valid JSON.`, {
      cause: undefined,
      hint: `Replace ${path} (download it again, or run \`${SETUP_COMMAND}\`).`,
    });
  }
}

/** Reads `client_secret.json` (or `secrets.json`) from `dir`. */
export async function readClientSecret(dir: string): Promise<ClientSecret> {
  for (const name of CLIENT_SECRET_FILES) {
    const path = join(dir, name);
    const json = await readJson(path);
    if (json === undefined) continue;
    const section = isRecord(json) ? (isRecord(json['installed']) ? json['installed'] : json['web']) : undefined;
    const clientId = isRecord(section) ? stringField(section, 'client_id') : undefined;
    const clientSecret = isRecord(section) ? stringField(section, 'client_secret') : undefined;
    if (!isRecord(section) || clientId === undefined || clientSecret === undefined) {
      throw new AuthMissingError(`${path} is not a Google OAuth client file (expected "installed" with client_id and client_secret).`, {
        hint: `Download the OAuth client of type "Desktop app" from the Google Cloud console and save it as ${path}.`,
      });
    }
    return {
      clientId,
      clientSecret,
      authUri: stringField(section, 'auth_uri') ?? GOOGLE_AUTH_URI,
      tokenUri: stringField(section, 'token_uri') ?? GOOGLE_TOKEN_URI,
      path,
    };
  }
  const path = join(dir, CLIENT_SECRET_FILES[0]);
  throw new AuthMissingError(`No OAuth client file: ${path} does not exist.`, {
    hint:
      `Create an OAuth client of type "Desktop app" in the Google Cloud console, download its JSON ` +
      `to ${path}, then run \`${SETUP_COMMAND}\`.`,
  });
}

/** Reads and validates `credentials.json`; missing or malformed -> AuthMissingError naming the file. */
export async function readCredentials(dir: string): Promise<StoredCredentials> {
  const path = join(dir, CREDENTIALS_FILE);
  const json = await readJson(path);
  const hint = `Run \`${SETUP_COMMAND}\` to create ${path}.`;
  if (json === undefined) throw new AuthMissingError(`No GRIN credentials: ${path} does not exist.`, { hint });
  if (!isRecord(json)) throw new AuthMissingError(`${path} is not a credentials object.`, { hint });
  const refreshToken = stringField(json, 'refresh_token');
  if (refreshToken === undefined) throw new AuthMissingError(`${path} has no refresh_token.`, { hint });
  const token = stringField(json, 'token') ?? null;
  const expiryRaw = stringField(json, 'expiry');
  const expiry = expiryRaw !== undefined && !Number.isNaN(Date.parse(expiryRaw)) ? expiryRaw : null;
  const scopes = Array.isArray(json['scopes']) ? json['scopes'].filter((s): s is string => typeof s === 'string') : [...GRIN_SCOPES];
  let clientId = stringField(json, 'client_id');
  let clientSecret = stringField(json, 'client_secret');
  let tokenUri = stringField(json, 'token_uri');
  if (clientId === undefined || clientSecret === undefined || tokenUri === undefined) {
    // Older files may lack the client fields: take them from the client secret file.
    const secret = await readClientSecret(dir);
    clientId ??= secret.clientId;
    clientSecret ??= secret.clientSecret;
    tokenUri ??= secret.tokenUri;
  }
  return { token, refresh_token: refreshToken, token_uri: tokenUri, client_id: clientId, client_secret: clientSecret, scopes, expiry };
}

/** Writes `credentials.json` atomically (temp file + rename) with mode 0600. */
export async function writeCredentials(dir: string, credentials: StoredCredentials): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, CREDENTIALS_FILE);
  const tmp = join(dir, `.${CREDENTIALS_FILE}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(credentials, null, 2)}\n`, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  return path;
}
