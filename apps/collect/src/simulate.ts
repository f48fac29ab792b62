import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator } from '@grin/simulator';

/** A simulated GRIN in this process, with its own credentials in a temp directory. */
export interface SimulatedGrin {
  baseUrl: string;
  libraryDirectory: string;
  credentialsDir: string;
  close(): Promise<void>;
}

/**
 * Starts the simulator for `--simulate N`. Its library is deterministic (fixed seed), so a rerun
 * of the same run resumes against the same books even though the server port changes.
 */
export async function startSimulatedGrin(books: number, libraryDirectory: string | undefined): Promise<SimulatedGrin> {
  const credentialsDir = await mkdtemp(join(tmpdir(), 'grin-collect-simulate-'));
  try {
    const sim = await startSimulator({ books, ...(libraryDirectory === undefined ? {} : { libraryDirectory }) });
    try {
      await sim.writeCredentials(credentialsDir);
    } catch (error) {
      await sim.close();
      throw error;
    }
    return {
      baseUrl: sim.grinBaseUrl,
      libraryDirectory: sim.libraryDirectory,
      credentialsDir,
      async close() {
        await sim.close();
        await rm(credentialsDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(credentialsDir, { recursive: true, force: true });
    throw error;
  }
}
