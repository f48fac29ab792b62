import type { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';

export interface TeeOptions {
  /** Failure of this sink fails the whole tee (the store); default: the first sink. */
  primary?: Writable;
  /** Called when a secondary sink fails; it is then detached and the others go on. */
  onSecondaryError?: (sink: Writable, error: Error) => void;
}

/**
 * Copy `source` into every sink with backpressure: the next chunk is read only when every live
 * sink has accepted the previous one (the slowest consumer governs; chunks are shared, not copied).
 * Ends all sinks when the source ends, and resolves when they all finished. If the source fails,
 * every sink is destroyed with its error. If the primary sink fails the tee rejects; a failing
 * secondary sink is only detached.
 */
export async function teeStream(source: Readable, sinks: Writable[], options: TeeOptions = {}): Promise<void> {
  const primary = options.primary ?? sinks[0];
  const live = new Set(sinks);
  const failures = new Map<Writable, Error>();
  let primaryError: Error | undefined;

  const onSinkError = (sink: Writable) => (err: Error) => {
    if (!live.has(sink)) return;
    live.delete(sink);
    failures.set(sink, err);
    if (sink === primary) {
      primaryError = err;
      source.destroy(err);
    } else {
      options.onSecondaryError?.(sink, err);
    }
  };
  const handlers = new Map<Writable, (err: Error) => void>();
  for (const s of sinks) {
    const h = onSinkError(s);
    handlers.set(s, h);
    s.on('error', h);
  }

  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      if (primaryError !== undefined) throw primaryError;
      const waiting: Writable[] = [];
      for (const s of live) if (!s.write(chunk)) waiting.push(s);
      await Promise.all(waiting.map(drained));
      if (primaryError !== undefined) throw primaryError;
    }
  } catch (err) {
    const e = primaryError ?? (err as Error);
    for (const s of sinks) if (!s.destroyed) s.destroy(e);
    throw e;
  }
  for (const s of live) s.end();
  await Promise.all(
    [...live].map((s) =>
      finished(s, { readable: false }).catch((err: Error) => {
        if (s === primary) throw err;
        options.onSecondaryError?.(s, err);
      }),
    ),
  );
  for (const [s, h] of handlers) s.off('error', h);
  if (primaryError !== undefined) throw primaryError;
}

/** Resolve when `sink` drains, fails or closes (a failed sink is detached by its error handler). */
function drained(sink: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      sink.off('drain', done);
      sink.off('close', done);
      sink.off('error', done);
      resolve();
    };
    sink.on('drain', done);
    sink.on('close', done);
    sink.on('error', done);
  });
}
