import type { Readable } from 'node:stream';
import { createInflateRaw } from 'node:zlib';
import * as tar from 'tar-stream';
import { CoalescingFeeder } from './coalescing-feeder.js';
import { EntryGuard, type CheckedEntry } from './entry-guard.js';
import { CorruptArchiveError, ExtractionAbortedError, ExtractionError } from './extract-errors.js';
import { GzipFraming } from './gzip-framing.js';

/** One entry of the archive, after the safety checks of `EntryGuard`. */
export interface ArchiveEntry extends CheckedEntry {
  /** Size of the entry's content in bytes (0 for directories and links). */
  size: number;
  /** Permission bits from the header. */
  mode: number;
}

/**
 * Receives an entry's content. `write` may return a promise to apply backpressure; an error
 * thrown by `write` or `end` fails the whole read with that error.
 */
export interface EntrySink {
  write(chunk: Buffer): void | Promise<void>;
  end(): void | Promise<void>;
}

/**
 * Called once per entry, in archive order, never concurrently. Return a sink to receive the
 * content, or nothing to have it skipped (drained, never buffered).
 */
export type ArchiveEntryHandler = (entry: ArchiveEntry) => EntrySink | undefined | Promise<EntrySink | undefined>;

export interface ReadArchiveOptions {
  signal?: AbortSignal;
}

export interface ArchiveSummary {
  /** Entries in the archive (files, directories, links), not counting pax/long-name headers. */
  entries: number;
}

/**
 * Inflate write and output size: far larger than zlib's 16 KiB default — each zlib call is a
 * thread-pool round trip, so fewer, larger ones cost less CPU per image byte (see CoalescingFeeder).
 */
const INFLATE_CHUNK = 256 * 1024;

/**
 * Reads a gzip'd tar stream entry by entry, in one pass, applying `EntryGuard`'s checks to every
 * entry before `onEntry` sees it. Nothing is written anywhere.
 *
 * Errors: UnsafeArchiveError (refused entry; also after the last entry for symlink chains that
 * escape), CorruptArchiveError (bad gzip, bad or truncated tar, empty input),
 * ExtractionAbortedError (signal), an error of `input` itself as is, or whatever a sink threw.
 *
 * The input is always consumed to its end: on failure it is unpiped and left flowing, so a tee
 * feeding another consumer (the store) never stalls. Destroy it yourself to stop the other side.
 */
export function readArchive(
  input: Readable,
  onEntry: ArchiveEntryHandler,
  options: ReadArchiveOptions = {},
): Promise<ArchiveSummary> {
  const { signal } = options;
  // The gzip wrapper is read by GzipFraming, the deflate data by a raw inflater (no CRC pass).
  const framing = new GzipFraming();
  const inflater = createInflateRaw({ chunkSize: INFLATE_CHUNK });
  const feeder = new CoalescingFeeder(inflater, INFLATE_CHUNK, framing);
  const extract = tar.extract();
  const guard = new EntryGuard();
  let entries = 0;
  let plainBytes = 0;
  /** Deflate bytes the inflater consumed, known once it ended. */
  let deflateBytes = -1;

  return new Promise<ArchiveSummary>((resolve, reject) => {
    let settled = false;
    let inputEnded = input.readableEnded;
    let feederFinished = false;
    let extractFinished = false;

    const cleanup = (): void => {
      signal?.removeEventListener('abort', onAbort);
    };
    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      cleanup();
      input.unpipe(feeder);
      feeder.on('error', noop);
      feeder.destroy();
      inflater.destroy();
      extract.destroy();
      // Keep the caller's stream flowing so the other branch of a tee is never blocked.
      input.on('error', noop);
      input.resume();
      reject(error);
    };
    const maybeDone = (): void => {
      if (settled || !inputEnded || !feederFinished || !extractFinished) return;
      if (plainBytes === 0) {
        fail(new CorruptArchiveError('the archive is empty (no tar data after gunzip)'));
        return;
      }
      try {
        framing.finish(deflateBytes, plainBytes);
        guard.finish();
      } catch (error) {
        fail(error);
        return;
      }
      settled = true;
      cleanup();
      resolve({ entries });
    };
    const onAbort = (): void => fail(new ExtractionAbortedError({ cause: signal?.reason }));

    if (signal?.aborted) {
      onAbort();
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });

    input.on('error', fail);
    input.on('end', () => {
      inputEnded = true;
      maybeDone();
    });
    inflater.on('error', (error) => fail(new CorruptArchiveError(`the archive is not valid gzip data: ${error.message}`, { cause: error })));
    inflater.on('data', (chunk: Buffer) => {
      plainBytes += chunk.length;
    });
    inflater.on('end', () => {
      deflateBytes = inflater.bytesWritten;
    });
    // Only the framing's verdicts (a bad gzip header) fail the feeder.
    feeder.on('error', fail);
    feeder.on('finish', () => {
      feederFinished = true;
      maybeDone();
    });
    extract.on('error', (error: unknown) => fail(classifyTarError(error)));
    extract.on('finish', () => {
      extractFinished = true;
      maybeDone();
    });
    extract.on('entry', (header: tar.Header, stream: unknown, next: (error?: Error | null) => void) => {
      entries += 1;
      handleEntry(header, stream as EntryStream).then(() => {
        if (!settled) next();
      }, fail);
    });

    // The 'data' listener above puts the inflater in flowing mode; pipe() still honours backpressure
    // because tar-stream's write() returning false pauses the inflater through the pipe.
    inflater.pipe(extract as unknown as NodeJS.WritableStream);
    input.pipe(feeder);
  });

  async function handleEntry(header: tar.Header, stream: EntryStream): Promise<void> {
    // tar-stream reports unknown type flags as null although its types do not say so.
    const checked = guard.check({ name: header.name, type: (header.type as string | null) ?? null, linkname: header.linkname ?? null });
    const entry: ArchiveEntry = {
      ...checked,
      size: checked.type === 'file' ? (header.size ?? 0) : 0,
      mode: header.mode ?? 0o644,
    };
    const sink = await onEntry(entry);
    await consume(stream, sink);
  }
}

/** The parts of a tar-stream (streamx) entry stream used here. */
interface EntryStream {
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'end' | 'close', listener: () => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  pause(): unknown;
  resume(): unknown;
}

/**
 * Feeds an entry's content to `sink`, or drains it. Flowing mode with pause/resume rather than
 * async iteration: images are most of the bytes, and a promise per chunk costs real throughput.
 */
function consume(stream: EntryStream, sink: EntrySink | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let done = false;
    let ended = false;
    let writing: Promise<void> = Promise.resolve();
    const finish = (error?: unknown): void => {
      if (done) return;
      done = true;
      if (error === undefined) resolve();
      else reject(error);
    };
    stream.on('error', (error) => finish(classifyTarError(error)));
    stream.on('close', () => {
      if (!ended) finish(new CorruptArchiveError('the archive ended in the middle of an entry'));
    });
    stream.on('end', () => {
      ended = true;
      if (sink === undefined) {
        finish();
        return;
      }
      // The last write may still be pending: end the sink only after it.
      writing
        .then(() => sink.end())
        .then(() => finish(), finish);
    });
    if (sink !== undefined) {
      stream.on('data', (chunk) => {
        if (done) return;
        let pending: void | Promise<void>;
        try {
          pending = sink.write(chunk);
        } catch (error) {
          finish(error);
          return;
        }
        if (pending) {
          stream.pause();
          writing = pending;
          pending.then(() => stream.resume(), finish);
        }
      });
    }
    stream.resume();
  });
}

function classifyTarError(error: unknown): unknown {
  if (error instanceof ExtractionError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new CorruptArchiveError(`the archive is not a valid tar file: ${message}`, { cause: error });
}

function noop(): void {}
