import type { Readable, Writable } from 'node:stream';
import type { PendingObject, StoredObject } from '../storage/index.js';
import { DecryptError } from './decrypt-errors.js';
import type { Decryptor } from './decryptor.js';
import type { DecryptResult } from './gpg-session.js';
import { teeStream } from './tee-stream.js';

export interface DecryptToStorageOptions {
  signal?: AbortSignal;
  /**
   * More consumers of the plaintext (e.g. extraction reading the tar.gz), fed with backpressure:
   * the slowest consumer governs. They end only after integrity was verified, and are destroyed
   * with the decryption error otherwise. A failing extra sink is detached (reported through
   * `onExtraSinkError`); it does not fail the store.
   */
  extraSinks?: Writable[];
  onExtraSinkError?: (sink: Writable, error: Error) => void;
}

export interface DecryptToStorageResult {
  stored: StoredObject;
  decrypt: DecryptResult;
}

/**
 * Decrypt `input` into `pending`, committing it only after gpg verified the archive's integrity;
 * on any failure (decryption, integrity, storage, abort) the pending object is aborted, so nothing
 * appears at the final location, and the error is rethrown.
 */
export async function decryptToStorage(
  input: Readable,
  decryptor: Decryptor,
  pending: PendingObject,
  options: DecryptToStorageOptions = {},
): Promise<DecryptToStorageResult> {
  const session = decryptor.decrypt(input, options.signal);
  const tee = teeStream(session.output, [pending.stream, ...(options.extraSinks ?? [])], {
    primary: pending.stream,
    ...(options.onExtraSinkError === undefined ? {} : { onSecondaryError: options.onExtraSinkError }),
  });
  // Both are awaited even if one fails first, so no rejection is left unobserved and gpg is
  // known to be gone before the pending object is aborted.
  const [teeResult, doneResult] = await Promise.allSettled([tee, session.done]);
  if (teeResult.status === 'fulfilled' && doneResult.status === 'fulfilled') {
    try {
      const stored = await pending.commit();
      return { stored, decrypt: doneResult.value };
    } catch (err) {
      await pending.abort(err as Error);
      throw err;
    }
  }
  // Prefer the decryptor's own reason (wrong passphrase, integrity, …) over the knock-on stream
  // error; but when a failing sink made us stop gpg, the sink's error is the real cause.
  const doneErr = doneResult.status === 'rejected' ? (doneResult.reason as Error) : undefined;
  const teeErr = teeResult.status === 'rejected' ? (teeResult.reason as Error) : undefined;
  const stoppedByUs = doneErr instanceof DecryptError && doneErr.code === 'decrypt_aborted' && !(options.signal?.aborted ?? false);
  const err = doneErr !== undefined && !(stoppedByUs && teeErr !== undefined) ? doneErr : (teeErr ?? doneErr);
  if (!session.output.destroyed) session.output.destroy(err as Error);
  await pending.abort(err as Error);
  throw err;
}
