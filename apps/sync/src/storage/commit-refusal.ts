import type { Writable } from 'node:stream';
import { StorageError } from './storage-error.js';

/** Life cycle shared by both backends' pending objects. */
export type PendingState = 'open' | 'committing' | 'committed' | 'aborted';

/**
 * Why `commit()` may not start now, or null when it may: a pending object is settled exactly once,
 * and only after its producer ended `stream`.
 */
export function commitRefusal(location: string, state: PendingState, stream: Writable): StorageError | null {
  if (state !== 'open') {
    return new StorageError('storage_already_settled', `${location}: commit() after ${state}`, {
      hint: 'commit or abort a pending object exactly once',
      retryable: false,
    });
  }
  if (!stream.writableEnded) {
    return new StorageError('storage_commit_before_end', `${location}: commit() before the producer ended the stream`, {
      hint: 'end the pending stream (or let pipeline() end it) before committing',
      retryable: false,
    });
  }
  return null;
}
