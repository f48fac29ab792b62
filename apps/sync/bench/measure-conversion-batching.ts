// Measurement (not a test): conversion requests one per `_process` call vs batched, with the
// client's real default rate limit (5 requests/s shared by every GRIN call). The pipeline's check
// (HEAD -> 404) is reproduced for each volume of the `previous` queue, as in the tests.
// Run: cd apps/sync && pnpm exec tsx test/convert/measure-conversion-batching.ts [volumes]
import { performance } from 'node:perf_hooks';
import { createGrinClient } from '@grin/client';
import { CatalogueQueueSource, ConversionRequester, loadConversionState } from '../src/convert/index.js';
import { runQueue, startWorld } from '../test/convert/convert-world.js';

const volumes = Number(process.argv[2] ?? 60);

async function measure(batchSize: number): Promise<{ seconds: number; processCalls: number; grinRequests: number; requested: number }> {
  const world = await startWorld({ books: Math.ceil(volumes / 0.18) + 50, seed: 5 });
  // The world's client has no rate limit; measure with GRIN's real default of 5 requests/s.
  const client = createGrinClient({ libraryDirectory: world.sim.libraryDirectory, baseUrl: world.sim.grinBaseUrl, credentialsDir: world.dir, parseIn: 'main' });
  try {
    const state = await loadConversionState(client);
    const writer = world.catalogue.createStatusWriter();
    const requester = new ConversionRequester({ client, events: writer, state, batchSize });
    const source = new CatalogueQueueSource({ catalogue: world.catalogue, queue: 'previous', requester, limit: volumes });
    const before = Object.values(world.sim.stats().requests).reduce((a, b) => a + b, 0);
    const started = performance.now();
    await runQueue({ ...world, client }, source, requester);
    const seconds = (performance.now() - started) / 1000;
    writer.close();
    const grinRequests = Object.values(world.sim.stats().requests).reduce((a, b) => a + b, 0) - before;
    return { seconds, processCalls: world.processCalls().length, grinRequests, requested: requester.counts().requested };
  } finally {
    await client.close();
    await world.close();
  }
}

const single = await measure(1);
const batched = await measure(200);
const fmt = (r: typeof single): string =>
  `${r.seconds.toFixed(1)} s, ${r.processCalls} _process calls, ${r.grinRequests} GRIN requests, ${r.requested} requested`;
console.log(`${volumes} unavailable volumes at 5 requests/s`);
console.log(`  one per call (batchSize 1):   ${fmt(single)}`);
console.log(`  batched (batchSize 200, linger 2 s): ${fmt(batched)}`);
console.log(`  batched / one-per-call: time ${(batched.seconds / single.seconds).toFixed(2)}, GRIN requests ${(batched.grinRequests / single.grinRequests).toFixed(2)}`);
