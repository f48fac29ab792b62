// Child process for the collect benchmark: runs the simulator on its own cores/thread and
// reports where it listens over IPC. Stops when the parent disconnects.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator } from '@grin/simulator';

const books = Number(process.argv[2] ?? 1_000_000);
const pageLatencyMs = Number(process.argv[3] ?? 0);
const sim = await startSimulator({ books, pageLatencyMs });
const credentialsDir = await mkdtemp(join(tmpdir(), 'collect-bench-cred-'));
await sim.writeCredentials(credentialsDir);

const stop = async (): Promise<void> => {
  await sim.close();
  await rm(credentialsDir, { recursive: true, force: true });
  process.exit(0);
};
process.on('disconnect', () => void stop());
process.on('message', (message: unknown) => {
  if (message === 'token') process.send?.({ token: sim.issueAccessToken().accessToken });
  if (message === 'stop') void stop();
  if (message === 'cpu') process.send?.({ cpu: process.cpuUsage() });
});
process.send?.({ grinBaseUrl: sim.grinBaseUrl, libraryDirectory: sim.libraryDirectory, credentialsDir });
