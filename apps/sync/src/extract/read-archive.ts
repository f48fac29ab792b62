import type { Readable, Writable } from 'node:stream';
import { createGunzip, createInflateRaw } from 'node:zlib';
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
  /**
   * Check the gzip CRC-32 of the plaintext (full gunzip). Off by default: gpg's MDC already proves
   * every byte, and the CRC pass costs ~0.4 CPU s/GB. Turn it on when archives may come without
   * integrity protection (`--allow-legacy-without-integrity`): then it is the only check left.
   */
  verifyCrc?: boolean;
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

/** A read in progress: write the archive into `sink`, end it; `done` settles with the result. */
export interface ArchiveReader {
  /**
   * Never fails its writer on its own and never blocks it after a failure: once `done` rejected it
   * accepts and drops everything, so a tee feeding another consumer (the store) never stalls.
   * Destroying it (with the writer's error) fails the read with that error.
   */
  readonly sink: Writable;
  readonly done: Promise<ArchiveSummary>;
}

/**
 * Reads a gzip'd tar stream from `input` entry by entry; see `startArchiveRead`. The input is
 * always consumed to its end (also on failure); an error of `input` fails the read as is.
 */
export function readArchive(input: Readable, onEntry: ArchiveEntryHandler, options: ReadArchiveOptions = {}): Promise<ArchiveSummary> {
  const reader = startArchiveRead(onEntry, options);
  pipeIntoReader(input, reader.sink);
  return reader.done;
}

/** Pipes `input` into a reader's sink; an error of `input` fails the read with that error. */
export function pipeIntoReader(input: Readable, sink: Writable): void {
  input.on('error', (error) => sink.destroy(error));
  input.pipe(sink);
}

/**
 * Reads a gzip'd tar stream written into the returned sink, entry by entry, in one pass, applying
 * `EntryGuard`'s checks to every entry before `onEntry` sees it. Nothing is written anywhere. The
 * sink is the coalescing feeder itself, so the tee writes straight into it (no stream in between).
 *
 * Errors: UnsafeArchiveError (refused entry; also after the last entry for symlink chains that
 * escape), CorruptArchiveError (bad gzip, bad or truncated tar, empty input),
 * ExtractionAbortedError (signal, or the sink destroyed without an error), the error the sink was
 * destroyed with, or whatever a sink of `onEntry` threw.
 */
export function startArchiveRead(onEntry: ArchiveEntryHandler, options: ReadArchiveOptions = {}): ArchiveReader {
  const { signal } = options;
  // Unless the CRC is wanted, the gzip wrapper is read by GzipFraming and the deflate data by a
  // raw inflater (no CRC pass).
  const framing = options.verifyCrc === true ? null : new GzipFraming();
  const inflater = framing === null ? createGunzip({ chunkSize: INFLATE_CHUNK }) : createInflateRaw({ chunkSize: INFLATE_CHUNK });
  let fail: (error: unknown) => void = () => undefined;
  const feeder = new CoalescingFeeder(inflater, INFLATE_CHUNK, { ...(framing === null ? {} : { framing }), onFailure: (error) => fail(error) });
  const extract = tar.extract();
  const guard = new EntryGuard();
  let entries = 0;
  let plainBytes = 0;
  /** Deflate bytes the inflater consumed, known once it ended. */
  let deflateBytes = -1;

  const done = new Promise<ArchiveSummary>((resolve, reject) => {
    let settled = false;
    let feederFinished = false;
    let extractFinished = false;

    const cleanup = (): void => {
      signal?.removeEventListener('abort', onAbort);
    };
    fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      cleanup();
      // Keep accepting the writer's bytes so the other branch of a tee is never blocked.
      feeder.discard();
      inflater.destroy();
      extract.destroy();
      reject(error);
    };
    const maybeDone = (): void => {
      if (settled || !feederFinished || !extractFinished) return;
      if (plainBytes === 0) {
        fail(new CorruptArchiveError('the archive is empty (no tar data after gunzip)'));
        return;
      }
      try {
        framing?.finish(deflateBytes, plainBytes);
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

    feeder.on('error', fail);
    feeder.on('close', () => {
      if (!feederFinished) fail(new ExtractionAbortedError());
    });
    feeder.on('finish', () => {
      feederFinished = true;
      maybeDone();
    });
    if (signal?.aborted) {
      onAbort();
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });

    inflater.on('error', (error) => fail(new CorruptArchiveError(`the archive is not valid gzip data: ${error.message}`, { cause: error })));
    inflater.on('data', (chunk: Buffer) => {
      plainBytes += chunk.length;
    });
    inflater.on('end', () => {
      deflateBytes = inflater.bytesWritten;
    });
    extract.on('error', (error: unknown) => fail(classifyTarError(error)));
    extract.on('finish', () => {
      extractFinished = true;
      maybeDone();
    });
    extract.on('entry', (header: tar.Header, stream: unknown, next: (error?: Error | null) => void) => {
      entries += 1;
      const proceed = (): void => {
        if (!settled) next();
      };
      let sink: ReturnType<ArchiveEntryHandler>;
      try {
        sink = onEntry(checkedEntry(header));
      } catch (error) {
        fail(error);
        return;
      }
      // Most entries (images, hOCR) are skipped: drained without a promise per entry.
      if (sink === undefined) drain(stream as EntryStream, proceed, fail);
      else Promise.resolve(sink).then((s) => consume(stream as EntryStream, s)).then(proceed, fail);
    });

    // The 'data' listener above puts the inflater in flowing mode; pipe() still honours backpressure
    // because tar-stream's write() returning false pauses the inflater through the pipe.
    inflater.pipe(extract as unknown as NodeJS.WritableStream);
  });
  return { sink: feeder, done };

  function checkedEntry(header: tar.Header): ArchiveEntry {
    // tar-stream reports unknown type flags as null although its types do not say so.
    // Fields are copied one by one rather than spread: this runs once per entry of every volume.
    const checked = guard.check({ name: header.name, type: (header.type as string | null) ?? null, linkname: header.linkname ?? null });
    return {
      path: checked.path,
      type: checked.type,
      linkTarget: checked.linkTarget,
      size: checked.type === 'file' ? (header.size ?? 0) : 0,
      mode: header.mode ?? 0o644,
    };
  }
}

/**
 * Reads an entry to its end (its content goes to a 'data' listener if one was added, else
 * nowhere), then calls `done`; a stream error or an entry cut short goes to `fail`.
 */
function drain(stream: EntryStream, done: () => void, fail: (error: unknown) => void): void {
  let ended = false;
  stream.on('error', (error) => fail(classifyTarError(error)));
  stream.on('close', () => {
    if (!ended) fail(new CorruptArchiveError('the archive ended in the middle of an entry'));
  });
  stream.on('end', () => {
    ended = true;
    done();
  });
  stream.resume();
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
    let writing: Promise<void> = Promise.resolve();
    const finish = (error?: unknown): void => {
      if (done) return;
      done = true;
      if (error === undefined) resolve();
      else reject(error);
    };
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
    drain(
      stream,
      () => {
        if (sink === undefined) finish();
        // The last write may still be pending: end the sink only after it.
        else writing.then(() => sink.end()).then(() => finish(), finish);
      },
      finish,
    );
  });
}

function classifyTarError(error: unknown): unknown {
  if (error instanceof ExtractionError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new CorruptArchiveError(`the archive is not a valid tar file: ${message}`, { cause: error });
}
