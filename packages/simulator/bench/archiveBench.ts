import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator } from '../src/index.js';
import { killGpgAgent } from '../src/archive/gpgEncrypt.js';

export interface ArchiveFigures {
  plaintextBytes: number;
  generationMBps: number;
  gpgOnlyMBps: number;
}

/** One archive of `bytes`: generate (tar -> gzip -> gpg -> cache) vs encrypting the same plaintext with gpg alone. */
export async function benchArchive(bytes: number): Promise<ArchiveFigures> {
  const cacheDir = await mkdtemp(join(tmpdir(), 'grin-sim-bench-'));
  const sim = await startSimulator({ books: 100, seed: 1, archiveBytes: bytes, cacheDir });
  try {
    const book = [...sim.library.listing('_converted')][0]!;
    let started = performance.now();
    const truth = await sim.library.archive(book.barcode);
    const generationMs = performance.now() - started;

    const home = await mkdtemp(join(tmpdir(), 'grin-sim-bench-gpg-'));
    started = performance.now();
    await new Promise<void>((resolve, reject) => {
      const child = spawn('gpg', [
        '--homedir', home, '--batch', '--yes', '--quiet', '--pinentry-mode', 'loopback', '--passphrase-fd', '3', '--symmetric',
        '--cipher-algo', 'AES256', '--compress-algo', 'none', '--s2k-count', '65536', '--output', join(cacheDir, 'baseline.gpg'), truth.plaintextPath,
      ], { stdio: ['ignore', 'ignore', 'inherit', 'pipe'] });
      (child.stdio[3] as NodeJS.WritableStream).end('bench passphrase\n');
      child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`gpg exited ${code}`))));
    });
    const gpgMs = performance.now() - started;
    await killGpgAgent(home);
    await rm(home, { recursive: true, force: true });
    const mb = truth.plaintextSize / 1e6;
    return { plaintextBytes: truth.plaintextSize, generationMBps: mb / (generationMs / 1000), gpgOnlyMBps: mb / (gpgMs / 1000) };
  } finally {
    await sim.close();
    await rm(cacheDir, { recursive: true, force: true });
  }
}
