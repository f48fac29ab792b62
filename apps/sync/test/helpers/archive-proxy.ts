import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGpgEncrypt } from '../decrypt/gpg-fixtures.js';
import { startForwardingProxy } from './forwarding-proxy.js';

/** An archive the proxy serves in place of GRIN's: encrypted bytes and their ETag. */
export interface ServedArchive {
  encrypted: Buffer;
  etag: string;
}

export interface ArchiveProxy {
  /** Base URL to give the CLI as `--grin-url` (`http://127.0.0.1:PORT/libraries/`). */
  grinBaseUrl: string;
  /** Serve these bytes for `BARCODE.tar.gz.gpg` (HEAD and GET), whatever the simulator says. */
  serve(barcode: string, archive: ServedArchive): void;
  /** GETs of archives served by the proxy itself, per barcode. */
  gets(barcode: string): number;
  close(): Promise<void>;
}

/**
 * A tiny GRIN in front of the simulator: every request is forwarded to the simulator unchanged,
 * except HEAD/GET of the archives registered with `serve`, answered from memory (ETag, length) —
 * so a test can put hand-made (hostile) archives in a run of real simulator volumes.
 */
export async function startArchiveProxy(simUrl: string): Promise<ArchiveProxy> {
  const archives = new Map<string, ServedArchive>();
  const getCounts = new Map<string, number>();
  const proxy = await startForwardingProxy(simUrl, (req, res) => {
    const match = /^\/libraries\/[^/]+\/([^/?]+)\.tar\.gz\.gpg(\?.*)?$/.exec(req.url ?? '');
    const own = match === null ? undefined : archives.get(decodeURIComponent(match[1] as string));
    if (own === undefined || (req.method !== 'HEAD' && req.method !== 'GET')) return false;
    if (req.headers.authorization === undefined) {
      res.writeHead(401).end();
      return true;
    }
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', ETag: `"${own.etag}"`, 'Content-Length': own.encrypted.length });
    if (req.method === 'GET') {
      const barcode = decodeURIComponent(match?.[1] as string);
      getCounts.set(barcode, (getCounts.get(barcode) ?? 0) + 1);
      res.end(own.encrypted);
    } else {
      res.end();
    }
    return true;
  });
  return {
    grinBaseUrl: `${proxy.origin}/libraries/`,
    serve: (barcode, archive) => archives.set(barcode, archive),
    gets: (barcode) => getCounts.get(barcode) ?? 0,
    close: () => proxy.close(),
  };
}

/** Encrypts `plaintext` with the real gpg (AES256, symmetric) under the passphrase in `passphraseFile`. */
export async function gpgEncrypt(plaintext: Buffer, passphraseFile: string): Promise<ServedArchive> {
  const dir = await mkdtemp(join(tmpdir(), 'grin-proxy-gpg-'));
  try {
    const home = join(dir, 'home');
    await new Promise<void>((resolve, reject) => spawn('mkdir', ['-m', '700', home]).on('close', (c) => (c === 0 ? resolve() : reject(new Error('mkdir')))));
    const input = join(dir, 'plain.tar.gz');
    const output = join(dir, 'out.gpg');
    await writeFile(input, plaintext);
    const args = ['--homedir', home, '--batch', '--quiet', '--yes', '--pinentry-mode', 'loopback', '--passphrase-file', passphraseFile, '--symmetric', '--cipher-algo', 'AES256', '--s2k-count', '65536', '--output', output, input];
    await runGpgEncrypt(args);
    await new Promise<void>((resolve) => spawn('gpgconf', ['--homedir', home, '--kill', 'gpg-agent']).on('close', () => resolve()));
    const encrypted = await readFile(output);
    return { encrypted, etag: createHash('md5').update(encrypted).digest('hex') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
