// One measured phase of the sync benchmark, in its own process so peak RSS is its own.
// Reads the phase description (JSON file named by argv[2]); prints one JSON line (PhaseResult).
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { constants, monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { openCatalogue } from '@grin/books';
import { createGrinClient } from '@grin/client';
import { createDecryptor, decryptToStorage } from '../src/decrypt/index.js';
import { runQueuePipeline } from '../src/pipeline/run-queue-pipeline.js';
import { ExtractionConsumer } from '../src/stages/extraction-consumer.js';
import type { PlaintextConsumer } from '../src/stages/plaintext-consumer.js';
import { cpuTimes } from './cpu-times.js';
import { decomposeConsumer, type DecomposeLayer } from './decompose-consumers.js';
import { LocalStorage } from '../src/storage/index.js';
import { runSync } from '../src/sync-run.js';

export type Mode = 'download' | 'decrypt' | 'store' | 'e2e' | 'e2e-extract' | 'e2e-tee' | 'e2e-gunzip' | 'e2e-untar' | 'staged';

export interface PhaseInput {
  mode: Mode;
  barcodes: string[];
  encryptedPaths: string[];
  plaintextPaths: string[];
  grinUrl: string;
  libraryDirectory: string;
  credentialsDir: string;
  passphraseFile: string;
  /** Fresh directory for storage, catalogue and staging. */
  workDir: string;
  downloadConcurrency: number;
  workers: number;
}

export interface PhaseResult {
  mode: Mode;
  seconds: number;
  books: number;
  /** Encrypted bytes moved (download, decrypt, e2e, staged) or plaintext bytes stored (store). */
  bytes: number;
  maxRssMiB: number;
  maxLoopDelayMs: number;
  /** Longest single GC pause of the main thread, and all GC time (to tell GC from blocking code). */
  maxGcPauseMs: number;
  gcMs: number;
  /** Full (mark-compact) collections during the phase. */
  majorGcs: number;
  /** Bytes this process caused to be written to disk (/proc/self/io write_bytes). */
  diskWriteBytes: number;
  /** CPU seconds of this process, and of its finished children (the gpg launcher and its gpgs), during the phase. */
  cpuSeconds: number;
  childCpuSeconds: number;
}

const meta = (b: string) => ({ encryptedEtag: 'bench', acquisitionDate: '2026-01-01T00:00:00', originalFilename: `${b}.tar.gz.gpg` });

async function pool<T>(items: readonly T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}

function nullSink(count: (n: number) => void): Writable {
  return new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _e, cb) {
      count(chunk.length);
      cb();
    },
  });
}

function diskWrites(): number {
  try {
    const m = /write_bytes: (\d+)/.exec(readFileSync('/proc/self/io', 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

async function run(input: PhaseInput): Promise<PhaseResult> {
  await mkdir(input.workDir, { recursive: true });
  const client = createGrinClient({
    libraryDirectory: input.libraryDirectory,
    baseUrl: input.grinUrl,
    credentialsDir: input.credentialsDir,
    concurrency: input.downloadConcurrency + 2,
    requestsPerSecond: Infinity,
  });
  const decryptor = await createDecryptor({ passphraseFile: input.passphraseFile });
  const storage = new LocalStorage({ basePath: join(input.workDir, 'storage') });
  await client.probe();
  let bytes = 0;
  const loop = monitorEventLoopDelay({ resolution: 10 });
  const gc = { max: 0, total: 0, major: 0 };
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gc.max = Math.max(gc.max, e.duration);
      gc.total += e.duration;
      if ((e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) gc.major++;
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  const writesBefore = diskWrites();
  const cpuBefore = cpuTimes();
  loop.enable();
  const t0 = performance.now();
  switch (input.mode) {
    case 'download':
      await pool(input.barcodes, input.downloadConcurrency, async (b) => {
        const d = await client.downloadArchive(b);
        await pipeline(d.body, nullSink((n) => (bytes += n)));
      });
      break;
    case 'decrypt':
      await pool(input.encryptedPaths, input.workers, async (p) => {
        const s = decryptor.decrypt(createReadStream(p, { highWaterMark: 1 << 20 }));
        await Promise.all([pipeline(s.output, nullSink(() => {})), s.done.then((r) => (bytes += r.bytesIn))]);
      });
      break;
    case 'store':
      await pool(input.barcodes.map((b, i) => [b, input.plaintextPaths[i] as string] as const), input.workers, async ([b, p]) => {
        const pending = await storage.beginRaw(b, meta(b));
        await pipeline(createReadStream(p, { highWaterMark: 1 << 20 }), pending.stream);
        const stored = await pending.commit();
        bytes += stored.size;
      });
      break;
    case 'e2e':
    case 'e2e-extract':
    case 'e2e-tee':
    case 'e2e-gunzip':
    case 'e2e-untar': {
      const catalogue = openCatalogue(join(input.workDir, 'books.db'));
      const writer = catalogue.createStatusWriter();
      async function* source(): AsyncGenerator<string> {
        yield* input.barcodes;
      }
      const staging = join(input.workDir, 'staging');
      await mkdir(staging, { recursive: true });
      // The CLI's extraction stage: MARC into the catalogue, OCR JSONL (gzip) into full/.
      const consumers: PlaintextConsumer[] =
        input.mode === 'e2e-extract'
          ? [new ExtractionConsumer({ settings: { marc: true, ocr: true, compressOcr: true, tempDir: staging }, storage, events: writer })]
          : input.mode === 'e2e'
            ? []
            : [decomposeConsumer(input.mode.slice(4) as DecomposeLayer)];
      const result = await runSync({
        consumers,
        source: source(),
        client,
        storage,
        decryptor,
        events: writer,
        recordedEtag: (b) => catalogue.syncedEtag(b),
        downloadConcurrency: input.downloadConcurrency,
        workers: input.workers,
        maxConsecutiveFailures: 10,
      });
      writer.close();
      catalogue.close();
      if (input.mode === 'e2e-extract') {
        const c = (consumers[0] as ExtractionConsumer).counts;
        if (c.marcExtracted !== input.barcodes.length || c.ocrExtracted !== input.barcodes.length) throw new Error(`extraction incomplete: ${JSON.stringify(c.sessionCounts())}`);
      }
      if (result.stats.synced !== input.barcodes.length) throw new Error(`e2e synced ${result.stats.synced} of ${input.barcodes.length}: ${result.lastFailure?.error.message}`);
      bytes = result.stats.bytesDownloaded;
      break;
    }
    case 'staged': {
      // The alternative design: download each archive to a staging file, then decrypt + store from it.
      const staging = join(input.workDir, 'staging');
      await mkdir(staging, { recursive: true });
      async function* source(): AsyncGenerator<string> {
        yield* input.barcodes;
      }
      await runQueuePipeline<string, { barcode: string; path: string }>({
        source: source(),
        download: {
          workers: input.downloadConcurrency,
          run: async (b) => {
            const path = join(staging, `${b}.tar.gz.gpg`);
            const d = await client.downloadArchive(b, { onBytes: (n) => (bytes += n) });
            await pipeline(d.body, createWriteStream(path));
            return { barcode: b, path };
          },
        },
        process: {
          workers: input.workers,
          run: async ({ barcode, path }) => {
            const pending = await storage.beginRaw(barcode, meta(barcode));
            await decryptToStorage(createReadStream(path, { highWaterMark: 1 << 20 }), decryptor, pending);
            await rm(path);
          },
        },
        capacity: { download: 2 * input.downloadConcurrency, process: 2 * input.workers },
        stop: new AbortController().signal,
      });
      break;
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  loop.disable();
  gcObserver.disconnect();
  const diskWriteBytes = diskWrites() - writesBefore;
  // gpg runs under the decryptor's launcher process: its CPU and its gpgs' reach this process's
  // children's times once the launcher exited (close), so the close comes before the reading.
  await decryptor.close();
  const cpuAfter = cpuTimes();
  await client.close();
  return {
    mode: input.mode,
    seconds,
    books: input.barcodes.length,
    bytes,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    maxLoopDelayMs: loop.max / 1e6,
    maxGcPauseMs: gc.max,
    gcMs: gc.total,
    majorGcs: gc.major,
    diskWriteBytes,
    cpuSeconds: cpuAfter.self - cpuBefore.self,
    childCpuSeconds: cpuAfter.children - cpuBefore.children,
  };
}

const input = JSON.parse(await readFile(process.argv[2] as string, 'utf8')) as PhaseInput;
try {
  process.stdout.write(`${JSON.stringify(await run(input))}\n`);
} finally {
  await rm(input.workDir, { recursive: true, force: true });
}
