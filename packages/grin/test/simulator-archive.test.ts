// Contract test against @grin/simulator: a downloaded archive is exactly what GRIN announced and
// the real gpg decrypts it with the passphrase file into the expected tarball.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { startSimulator, type RunningSimulator, type SimulatedBook } from '@grin/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGrinClient, type GrinClient } from '../src/index.js';
import { runAuthSetup } from '../src/auth/setup-flow.js';
import { makeTempDir } from './helpers/temp-dir.js';

const run = promisify(execFile);
let sim: RunningSimulator;
let dir: { path: string; remove: () => Promise<void> };
let client: GrinClient;

beforeAll(async () => {
  sim = await startSimulator({ books: 500, seed: 4, archiveBytes: 300_000 });
  dir = await makeTempDir();
  await sim.writeCredentials(dir.path);
  client = createGrinClient({ libraryDirectory: sim.libraryDirectory, baseUrl: sim.grinBaseUrl, credentialsDir: dir.path });
});
afterAll(async () => {
  await client.close();
  await sim.close();
  await dir.remove();
});

describe('archive download against the simulator', () => {
  it('matches Content-Length and ETag; gpg decrypts it with the passphrase file; the tar lists METS, OCR and images', async () => {
    const book = [...sim.library.listing('_converted')][0] as SimulatedBook;
    const head = await client.headArchive(book.barcode);
    const out = join(dir.path, `${book.barcode}.tar.gz.gpg`);
    let counted = 0;
    const download = await client.downloadArchive(book.barcode, { onBytes: (n) => (counted += n), expectedSize: head.size as number });
    const md5 = createHash('md5');
    await pipeline(
      download.body,
      new Transform({
        transform(chunk: Buffer, _enc, cb) {
          md5.update(chunk);
          cb(null, chunk);
        },
      }),
      createWriteStream(out),
    );
    const truth = await sim.library.archive(book.barcode);
    expect(download.etag).toBe(head.etag);
    expect(download.etag).toBe(truth.etag);
    expect(download.size).toBe(head.size);
    expect((await stat(out)).size).toBe(download.size);
    expect(counted).toBe(download.size);
    expect(md5.digest('hex')).toBe(truth.etag); // the simulator's ETag is the md5 of the encrypted bytes

    const gnupgHome = join(dir.path, 'gnupg');
    await run('mkdir', ['-m', '700', '-p', gnupgHome]);
    const plain = join(dir.path, `${book.barcode}.tar.gz`);
    await run('gpg', [
      '--batch', '--quiet', '--yes', '--no-tty', '--homedir', gnupgHome, '--pinentry-mode', 'loopback',
      '--passphrase-file', join(dir.path, 'gpg_passphrase.asc'), '--output', plain, '--decrypt', out,
    ], { env: { ...process.env, GPG_TTY: '' } });
    expect(createHash('sha256').update(await readFile(plain)).digest('hex')).toBe(truth.plaintextSha256);
    const { stdout } = await run('tar', ['-tzf', plain]);
    const entries = stdout.trim().split('\n');
    expect(entries).toEqual(truth.entries.map((e) => e.path));
    expect(entries[0]).toBe(`${book.barcode}.xml`);
    expect(entries).toContain('00000001.txt');
    expect(entries.some((e) => /^\d{8}\.html$/.test(e))).toBe(true);
    expect(entries.some((e) => /^\d{8}\.jp2$/.test(e))).toBe(true);
    await run('gpgconf', ['--homedir', gnupgHome, '--kill', 'gpg-agent']).catch(() => undefined);
  });
});

describe('grin-auth setup against the simulator', () => {
  it('runs the loopback flow with the simulator authUrl/tokenUrl and the client then works', async () => {
    const creds = await makeTempDir();
    try {
      await sim.writeCredentials(creds.path);
      const { rm } = await import('node:fs/promises');
      await rm(join(creds.path, 'credentials.json'));
      const before = sim.stats().authorizationCodeGrants;
      await runAuthSetup({
        credentialsDir: creds.path,
        mode: 'loopback',
        print: () => undefined,
        openBrowser: async (url) => {
          expect(url.startsWith(sim.authUrl)).toBe(true);
          const approval = await fetch(url, { redirect: 'manual' });
          await (await fetch(approval.headers.get('location') as string)).text();
        },
      });
      expect(sim.stats().authorizationCodeGrants).toBe(before + 1);
      const fresh = createGrinClient({ libraryDirectory: sim.libraryDirectory, baseUrl: sim.grinBaseUrl, credentialsDir: creds.path });
      try {
        await fresh.probe();
      } finally {
        await fresh.close();
      }
    } finally {
      await creds.remove();
    }
  });
});
