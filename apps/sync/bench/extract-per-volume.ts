/**
 * Per-volume CPU of the extraction stage on small volumes, in one process (no gpg, no network):
 * the ExtractionConsumer on the simulator's cached ~100 KB archives, fed in 64 KiB chunks as the
 * tee does. Modes split the cost: `all` (extract + putFull to local storage + catalogue events),
 * `noevents` (catalogue events stubbed), `nostore` (putFull and events stubbed: extraction alone).
 * Run the sync benchmark once first so the cache holds small archives.
 *
 *   pnpm exec tsx bench/extract-per-volume.ts [all|noevents|nostore] [--rounds 4]
 */
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openCatalogue } from '@grin/books';
import { ExtractionConsumer, type ExtractionEvents } from '../src/stages/extraction-consumer.js';
import type { ConsumerVolume } from '../src/stages/plaintext-consumer.js';
import { LocalStorage } from '../src/storage/index.js';

const { positionals, values } = parseArgs({ allowPositionals: true, options: { rounds: { type: 'string', default: '4' } } });
const mode = positionals[0] ?? 'all';
const cache = join(tmpdir(), 'grin-sync-bench-cache');
const volumes: { barcode: string; data: Buffer }[] = [];
for (const name of (await readdir(cache)).filter((n) => n.endsWith('.tar.gz'))) {
  if ((await stat(join(cache, name))).size < 100_000) volumes.push({ barcode: name.replace('.tar.gz', ''), data: await readFile(join(cache, name)) });
  if (volumes.length >= 300) break;
}
if (volumes.length === 0) throw new Error(`no small archives in ${cache}: run the sync benchmark first`);

const dir = await mkdtemp(join(tmpdir(), 'grin-extract-per-volume-'));
try {
  await mkdir(join(dir, 'staging'));
  const catalogue = openCatalogue(join(dir, 'books.db'));
  const writer = catalogue.createStatusWriter();
  const storage = new LocalStorage({ basePath: join(dir, 'store'), runName: 'r' });
  const stubEvents = new Proxy({}, { get: () => () => undefined }) as ExtractionEvents;
  const consumer = new ExtractionConsumer({
    settings: { marc: true, ocr: true, compressOcr: true, tempDir: join(dir, 'staging') },
    storage: mode === 'nostore' ? { putFull: async (name) => ({ location: name, size: 0 }), removeFull: async () => undefined, fullLocation: (name) => name } : storage,
    events: mode === 'all' ? writer : stubEvents,
  });
  for (let round = 0; round < Number(values.rounds); round += 1) {
    const before = process.cpuUsage();
    for (const volume of volumes) {
      // Only the barcode and `replacing` are read by the consumer.
      const run = consumer.start({ barcode: volume.barcode, replacing: false } as ConsumerVolume, new AbortController().signal);
      for (let offset = 0; offset < volume.data.length; offset += 65536) run.sink.write(volume.data.subarray(offset, offset + 65536));
      run.sink.end();
      await run.complete();
    }
    const used = process.cpuUsage(before);
    console.log(`${mode} round ${round}: ${((used.user + used.system) / 1000 / volumes.length).toFixed(2)} ms CPU per volume (user ${(used.user / 1000 / volumes.length).toFixed(2)}, sys ${(used.system / 1000 / volumes.length).toFixed(2)}) (${volumes.length} volumes)`);
  }
  writer.close();
  catalogue.close();
} finally {
  await rm(dir, { recursive: true, force: true });
}
