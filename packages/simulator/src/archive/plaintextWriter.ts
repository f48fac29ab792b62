import { once } from 'node:events';
import * as tar from 'tar-stream';
import { type ArchivePlan, plannedEntrySize } from './archivePlan.js';
import { imageChunks } from './imageBytes.js';
import { MixedGzipWriter } from './mixedGzipWriter.js';

const BLOCK = 512;

export interface PlaintextWriterOptions {
  key: number;
  bookIndex: number;
  /** Entry mtime: fixed per book so the plaintext is reproducible. */
  mtime: Date;
  signal?: AbortSignal | undefined;
}

/**
 * Streams the gzip'd tar of a plan into `sink`: tar headers and text entries deflated, image
 * data (at the exact tar byte ranges) as stored blocks, since it is incompressible.
 */
export async function writePlaintext(
  plan: ArchivePlan,
  opts: PlaintextWriterOptions,
  sink: (chunk: Buffer) => Promise<void>,
): Promise<void> {
  const pack = tar.pack();
  const stored = storedRanges(plan);
  const inner = new AbortController();
  // Rejects once anything fails, so a producer waiting on a destroyed stream cannot hang.
  const torn = new Promise<never>((_, reject) => inner.signal.addEventListener('abort', () => reject(inner.signal.reason as Error)));
  torn.catch(() => undefined);
  const fail = (err: unknown): void => {
    if (!inner.signal.aborted) inner.abort(err);
    pack.destroy(err as Error);
  };
  const onAbort = (): void => fail(opts.signal?.reason ?? new Error('aborted'));
  if (opts.signal?.aborted) onAbort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await settleAll([produceTar(plan, opts, pack, torn), compress(pack, new MixedGzipWriter(sink), stored)], fail);
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

/** Byte ranges of image data inside the tar stream (ustar: 512-byte header, data padded to 512). */
function storedRanges(plan: ArchivePlan): [number, number][] {
  const ranges: [number, number][] = [];
  let offset = 0;
  for (const entry of plan.entries) {
    const size = plannedEntrySize(entry);
    if (entry.kind === 'image') ranges.push([offset + BLOCK, offset + BLOCK + size]);
    offset += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
  }
  return ranges;
}

async function produceTar(plan: ArchivePlan, opts: PlaintextWriterOptions, pack: tar.Pack, torn: Promise<never>): Promise<void> {
  for (const entry of plan.entries) {
    const header = { name: entry.path, mtime: opts.mtime, mode: 0o644, uid: 0, gid: 0, uname: 'grin', gname: 'grin' };
    let settle: (err?: Error | null) => void = () => undefined;
    const entryDone = new Promise<void>((resolve, reject) => {
      settle = (err) => (err ? reject(err) : resolve());
    });
    if (entry.kind === 'text') {
      pack.entry({ ...header, size: entry.data.length }, entry.data, (err) => settle(err));
      await Promise.race([entryDone, torn]);
      continue;
    }
    const stream = pack.entry({ ...header, size: entry.size }, (err) => settle(err));
    stream.once('error', (err: Error) => settle(err));
    for (const chunk of imageChunks(opts.key, opts.bookIndex, entry.page, entry.size)) {
      if (!stream.write(chunk)) await Promise.race([once(stream, 'drain'), entryDone, torn]);
    }
    stream.end(() => undefined);
    await Promise.race([entryDone, torn]);
  }
  pack.finalize();
}

async function compress(pack: tar.Pack, gzip: MixedGzipWriter, ranges: [number, number][]): Promise<void> {
  let pos = 0;
  let range = 0;
  for await (const raw of pack) {
    const chunk = raw as Buffer;
    let at = 0;
    while (at < chunk.length) {
      while (range < ranges.length && pos >= (ranges[range] as [number, number])[1]) range++;
      const current = ranges[range];
      const inside = current !== undefined && pos >= current[0];
      const boundary = current === undefined ? Infinity : inside ? current[1] : current[0];
      const take = Math.min(chunk.length - at, boundary - pos);
      const piece = chunk.subarray(at, at + take);
      if (inside) await gzip.stored(piece);
      else await gzip.compressible(piece);
      at += take;
      pos += take;
    }
  }
  await gzip.finish();
}

/** Runs tasks together; the first failure tears the others down (through `fail`) and is rethrown. */
async function settleAll(tasks: Promise<void>[], fail: (err: unknown) => void): Promise<void> {
  let firstError: unknown;
  await Promise.all(
    tasks.map((task) =>
      task.catch((err: unknown) => {
        if (firstError === undefined) {
          firstError = err;
          fail(err);
        }
      }),
    ),
  );
  if (firstError !== undefined) throw firstError;
}
