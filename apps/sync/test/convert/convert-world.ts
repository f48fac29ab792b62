import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCatalogue, type Catalogue } from '@grin/books';
import { createGrinClient, NotFoundError, type GrinClient } from '@grin/client';
import { afterEach } from 'vitest';
import { Library, startSimulator, type FaultRule, type RunningSimulator, type SimulatedBook } from '@grin/simulator';
import type { CatalogueQueueSource, ConversionRequester } from '../../src/convert/index.js';
import { storeAllBooks } from '../helpers/fill-catalogue.js';

export interface ConvertWorld {
  sim: RunningSimulator;
  client: GrinClient;
  catalogue: Catalogue;
  dir: string;
  /** Books in GRIN's queue before any request (the simulator's IN_PROCESS books). */
  baseInProcess: number;
  /** Moves the simulator's clock (conversions complete after `conversionDelayMs`). */
  advance(ms: number): void;
  /** `_process` calls served so far, as barcode lists. */
  processCalls(): string[][];
  close(): Promise<void>;
}

export interface WorldOptions {
  books?: number;
  seed?: number;
  /** GRIN's queue limit as base in-process count + this. Default: the simulator's 50,000. */
  queueRoom?: number;
  conversionDelayMs?: number;
  faults?: FaultRule[];
}

/**
 * A simulator on 127.0.0.1, a client with real credentials files and no rate limit, and a
 * catalogue in a temp dir filled from the simulator's `_all_books` listing with @grin/books'
 * storeListingPage (as collect does).
 */
export async function startWorld(options: WorldOptions = {}): Promise<ConvertWorld> {
  const books = options.books ?? 300;
  const seed = options.seed ?? 21;
  let now = Date.UTC(2025, 0, 1);
  const baseInProcess = new Library({ size: books, seed, clock: () => now, conversionDelayMs: 1 }).listSize('_in_process');
  const sim = await startSimulator({
    books,
    seed,
    clock: () => now,
    conversionDelayMs: options.conversionDelayMs ?? 3_600_000,
    ...(options.queueRoom === undefined ? {} : { queueLimit: baseInProcess + options.queueRoom }),
    ...(options.faults === undefined ? {} : { faults: options.faults }),
  });
  const dir = await mkdtemp(join(tmpdir(), 'grin-convert-'));
  await sim.writeCredentials(dir);
  const client = createGrinClient({
    libraryDirectory: sim.libraryDirectory,
    baseUrl: sim.grinBaseUrl,
    credentialsDir: dir,
    requestsPerSecond: Number.POSITIVE_INFINITY,
    parseIn: 'main',
    retry: { attempts: 2, baseDelayMs: 0, maxDelayMs: 0 },
  });
  const catalogue = openCatalogue(join(dir, 'books.db'));
  await storeAllBooks(client, catalogue);
  return {
    sim,
    client,
    catalogue,
    dir,
    baseInProcess,
    advance: (ms) => {
      now += ms;
    },
    processCalls: () =>
      sim
        .requestLog()
        .filter((r) => r.endpoint === 'process')
        .map((r) => (r.query['barcodes'] ?? '').split(',')),
    close: async () => {
      catalogue.close();
      await client.close();
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A `startWorld` for tests: every world it started is closed after each test. */
export function worldsClosedAfterEach(): (options?: WorldOptions) => Promise<ConvertWorld> {
  let worlds: ConvertWorld[] = [];
  afterEach(async () => {
    await Promise.all(worlds.map((w) => w.close()));
    worlds = [];
  });
  return async (options = {}) => {
    const w = await startWorld(options);
    worlds.push(w);
    return w;
  };
}

/** The simulator's books (truth) matching `predicate`. */
export function truth(sim: RunningSimulator, predicate: (b: SimulatedBook) => boolean): SimulatedBook[] {
  const out: SimulatedBook[] = [];
  for (let i = 0; i < sim.library.size; i++) {
    const b = sim.library.book(i);
    if (predicate(b)) out.push(b);
  }
  return out;
}

export interface QueueRunResult {
  /** Barcodes in the order the source yielded them. */
  selected: string[];
  /** HEAD 200. */
  available: string[];
  /** HEAD 404 -> handed to the requester. */
  unavailable: string[];
}

/**
 * What the pipeline does with a previous/unconverted queue, reduced to the check: HEAD each
 * selected volume; a 404 goes to the requester without waiting for it; drain at the end.
 */
export async function runQueue(world: ConvertWorld, source: CatalogueQueueSource, requester: ConversionRequester): Promise<QueueRunResult> {
  const result: QueueRunResult = { selected: [], available: [], unavailable: [] };
  for await (const barcode of source) {
    result.selected.push(barcode);
    try {
      await world.client.headArchive(barcode);
      result.available.push(barcode);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      result.unavailable.push(barcode);
      void requester.request(barcode);
    }
  }
  await requester.drain();
  return result;
}

/** `conversion` history values of a barcode, in order. */
export function conversionHistory(catalogue: Catalogue, barcode: string): string[] {
  return catalogue.getStatusHistory(barcode, 'conversion').map((h) => h.statusValue);
}
