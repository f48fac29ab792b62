import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import type { PendingObject, StoredObject } from './archive-storage.js';

/** Write a Buffer or pipe a Readable into `sink`, ending it; resolves when the sink finished. */
export async function writeBodyToSink(body: Readable | Buffer, sink: Writable): Promise<void> {
  if (Buffer.isBuffer(body)) {
    sink.end(body);
    await finished(sink, { readable: false });
    return;
  }
  await pipeline(body, sink);
}

/** Write `body` into `pending` and commit it; on any failure abort it (nothing stays) and rethrow. */
export async function writeAndCommit(pending: PendingObject, body: Readable | Buffer): Promise<StoredObject> {
  try {
    await writeBodyToSink(body, pending.stream);
    return await pending.commit();
  } catch (err) {
    await pending.abort(err instanceof Error ? err : undefined);
    throw err;
  }
}

/** Resolve once `stream` has emitted 'close' (immediately if it already has). Never rejects. */
export async function waitClosed(stream: Writable | Readable): Promise<void> {
  if (stream.closed) return;
  await once(stream, 'close').catch(() => undefined);
}
