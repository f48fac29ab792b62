import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalogue, type Catalogue } from '@grin/books';
import { createGrinClient, type GrinClient } from '@grin/client';
import { createDecryptor, type Decryptor } from '../../src/decrypt/index.js';
import { LocalStorage } from '../../src/storage/index.js';
import { runSync } from '../../src/sync-run.js';
import type { VolumeOutcome } from '../../src/stages/volume-outcome.js';
import { instantSleep, startHarness, type Harness } from '../helpers/sync-harness.js';

let h: Harness;
let client: GrinClient;
let decryptor: Decryptor;
let dir: string;

beforeAll(async () => {
  h = await startHarness({ books: 60 });
  client = createGrinClient({
    libraryDirectory: h.sim.libraryDirectory,
    baseUrl: h.sim.grinBaseUrl,
    credentialsDir: h.credentialsDir,
    requestsPerSecond: Infinity,
    sleep: instantSleep,
  });
  decryptor = await createDecryptor({ passphraseFile: h.passphraseFile });
  dir = await mkdtemp(join(tmpdir(), 'grin-run-sync-'));
}, 60_000);

afterAll(async () => {
  await client?.close();
  await decryptor?.close();
  await h?.close();
  await rm(dir, { recursive: true, force: true });
});

async function* list(barcodes: string[]): AsyncGenerator<string> {
  yield* barcodes;
}

describe('runSync (programmatic API)', { timeout: 60_000 }, () => {
  it.each(['when-stored', 'always'] as const)('hands 404 volumes to the not-available branch (headPolicy %s); they never count as failures', async (headPolicy) => {
    const notConverted = [...h.sim.library.listing('_all_books')].filter((b) => !b.archiveAvailable).slice(0, 3).map((b) => b.barcode);
    const converted = h.converted(2);
    const catalogue: Catalogue = openCatalogue(join(dir, `books-${headPolicy}.db`));
    const writer = catalogue.createStatusWriter();
    const branched: string[] = [];
    const outcomes: VolumeOutcome[] = [];
    try {
      const result = await runSync({
        source: list([...notConverted, ...converted]),
        client,
        storage: new LocalStorage({ basePath: join(dir, `store-${headPolicy}`) }),
        decryptor,
        events: writer,
        recordedEtag: (b) => catalogue.syncedEtag(b),
        headPolicy,
        downloadConcurrency: 2,
        workers: 2,
        maxConsecutiveFailures: 1,
        retry: { sleep: instantSleep },
        notAvailable: async (barcode) => {
          branched.push(barcode);
          return 'conversion_requested';
        },
        onOutcome: (o) => outcomes.push(o),
      });
      expect(result.stopReason).toBe('completed');
      expect(branched.sort()).toEqual([...notConverted].sort());
      expect(result.stats.reasons.get('unavailable:conversion_requested')).toBe(3);
      expect(result.stats.synced).toBe(2);
      expect(result.stats.selectionTotal).toBe(5);
      expect(outcomes.filter((o) => o.kind === 'unavailable').every((o) => o.kind === 'unavailable' && o.detail === 'conversion_requested')).toBe(true);
    } finally {
      writer.close();
      catalogue.close();
    }
  });
});
