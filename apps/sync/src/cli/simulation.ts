import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type RunningSimulator } from '@grin/simulator';

/** A running in-process GRIN simulator with credentials written for it. */
export interface Simulation {
  sim: RunningSimulator;
  grinUrl: string;
  libraryDirectory: string;
  credentialsDir: string;
  passphraseFile: string;
  close(): Promise<void>;
}

export interface SimulationOptions {
  books?: number;
  /** Archive cache; kept between runs so the same seed serves the same ETags. Default: temp. */
  cacheDir?: string;
  archiveBytes?: number;
}

/**
 * Starts the simulator on 127.0.0.1 (port 0) with its converted volumes, and writes its
 * credentials (client secret, refresh token, passphrase) to a fresh temp directory.
 */
export async function startSimulation(options: SimulationOptions = {}): Promise<Simulation> {
  const sim = await startSimulator({
    books: options.books ?? 100,
    ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }),
    ...(options.archiveBytes === undefined ? {} : { archiveBytes: options.archiveBytes }),
  });
  const credentialsDir = await mkdtemp(join(tmpdir(), 'grin-sync-sim-creds-'));
  try {
    await sim.writeCredentials(credentialsDir);
  } catch (err) {
    await sim.close();
    await rm(credentialsDir, { recursive: true, force: true });
    throw err;
  }
  return {
    sim,
    grinUrl: sim.grinBaseUrl,
    libraryDirectory: sim.libraryDirectory,
    credentialsDir,
    passphraseFile: join(credentialsDir, 'gpg_passphrase.asc'),
    close: async () => {
      await sim.close();
      await rm(credentialsDir, { recursive: true, force: true });
    },
  };
}
