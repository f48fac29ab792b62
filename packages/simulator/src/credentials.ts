import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GRIN_SCOPES, type TokenAuthority } from './auth/tokenAuthority.js';
import type { WriteCredentialsOptions } from './simulatorTypes.js';

export interface CredentialSource {
  authority: TokenAuthority;
  authUrl: string;
  tokenUrl: string;
  passphrase: string;
}

async function writePrivate(path: string, content: string): Promise<void> {
  await writeFile(path, content, { mode: 0o600 });
  await chmod(path, 0o600); // an existing file keeps its old mode otherwise
}

/** Writes the three files the apps read (format owned by @grin/client), all 0600. */
export async function writeCredentialFiles(dir: string, source: CredentialSource, opts: WriteCredentialsOptions = {}): Promise<void> {
  const { authority } = source;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const clientSecret = {
    installed: {
      client_id: authority.clientId,
      project_id: 'grin-simulator',
      client_secret: authority.clientSecret,
      auth_uri: source.authUrl,
      token_uri: source.tokenUrl,
      redirect_uris: ['http://127.0.0.1'],
    },
  };
  const access = opts.withAccessToken ? authority.issueAccessToken() : undefined;
  const credentials = {
    token: access?.accessToken ?? null,
    refresh_token: authority.refreshToken,
    token_uri: source.tokenUrl,
    client_id: authority.clientId,
    client_secret: authority.clientSecret,
    scopes: [...GRIN_SCOPES],
    expiry: access ? new Date(access.expiresAt).toISOString() : null,
  };
  await writePrivate(join(dir, 'client_secret.json'), `${JSON.stringify(clientSecret, null, 2)}\n`);
  await writePrivate(join(dir, 'credentials.json'), `${JSON.stringify(credentials, null, 2)}\n`);
  await writePrivate(join(dir, 'gpg_passphrase.asc'), `${source.passphrase}\n`);
}
