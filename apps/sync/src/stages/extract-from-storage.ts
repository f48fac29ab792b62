import { createHash, type Hash } from 'node:crypto';
import { Writable } from 'node:stream';
import { teeStream } from '../decrypt/index.js';
import { StorageError } from '../storage/index.js';
import { completeConsumers, discardConsumers } from './consumer-runs.js';
import type { ConsumerRun } from './plaintext-consumer.js';
import { asError, isCodedError, SyncError } from './sync-errors.js';
import type { SyncContext } from './sync-context.js';
import type { StoredRef, VolumeOutcome } from './volume-outcome.js';

/**
 * Runs the consumers (extraction stages) on the archive storage already holds — GRIN's current
 * version, committed and verified by an earlier attempt or run whose extraction did not complete —
 * instead of downloading and decrypting it again. The bytes read are checked against what storage
 * recorded (size; SHA-256 where the backend keeps one) before anything is recorded; then `synced`
 * is recorded as for a transfer (with `reconciled_from_storage`).
 *
 * Throws `SyncError('stored_copy_damaged')` (or a StorageError) when the stored copy cannot be
 * used — the caller downloads the volume instead (see `isStoredCopyProblem`); a consumer's failure
 * is `consumer_failed`, exactly as after a download.
 */
export async function extractFromStorage(barcode: string, ref: StoredRef, attempt: number, ctx: SyncContext): Promise<VolumeOutcome & { kind: 'synced' }> {
  const archive = await ctx.storage.openRaw(barcode, ctx.abort);
  if (archive.size !== ref.size) {
    archive.body.destroy();
    throw damaged(barcode, `storage now reports ${archive.size} bytes, ${ref.size} were recorded`);
  }
  const runs: ConsumerRun[] = [];
  try {
    for (const consumer of ctx.consumers) runs.push(consumer.start({ barcode, encryptedEtag: ref.etag, attempt, source: 'storage', replacing: true }, ctx.abort));
    const sinkErrors = new Map<object, Error>();
    const verifier = new VerifyingSink(archive.sha256 !== null);
    try {
      await teeStream(archive.body, [verifier, ...runs.map((r) => r.sink)], {
        primary: verifier,
        onSecondaryError: (sink, error) => sinkErrors.set(sink, error),
      });
    } catch (error) {
      if (ctx.abort.aborted) throw error;
      throw new StorageError('storage_read_failed', `${barcode}: reading the stored archive failed: ${asError(error).message}`, {
        hint: 'check that storage is readable; the volume is downloaded again instead',
        retryable: true,
        cause: error,
      });
    }
    if (verifier.bytes !== ref.size) throw damaged(barcode, `read ${verifier.bytes} bytes, ${ref.size} were recorded`);
    const sha256 = verifier.digest();
    if (archive.sha256 !== null && sha256 !== archive.sha256) throw damaged(barcode, 'its SHA-256 differs from the one recorded when it was written');

    // gpg never vouched for these bytes: corrupt gzip/tar data (the CRC is checked on this path)
    // means the stored copy went bad, not the archive GRIN serves. Download it again.
    await completeConsumers(barcode, runs, sinkErrors, ctx, (cause) =>
      isCodedError(cause) && cause.code === 'archive_corrupt' ? damaged(barcode, cause.message) : undefined,
    );
    ctx.events.synced(barcode, { storagePath: ref.location, encryptedEtag: ref.etag, isDecrypted: true, reconciled: true });
    ctx.checkpoint?.('recorded', barcode);
    return { kind: 'synced', barcode, etag: ref.etag, encryptedBytes: 0, storedBytes: ref.size, location: ref.location, attempts: attempt, source: 'storage' };
  } catch (error) {
    if (!archive.body.destroyed) archive.body.destroy();
    await discardConsumers(runs, asError(error));
    throw error;
  }
}

/** True for errors after which the volume should be downloaded instead of read back. */
export function isStoredCopyProblem(error: Error): boolean {
  return (error instanceof SyncError && error.code === 'stored_copy_damaged') || error instanceof StorageError;
}

function damaged(barcode: string, detail: string): SyncError {
  return new SyncError('stored_copy_damaged', `${barcode}: the stored archive cannot be used: ${detail}`, {
    hint: 'the volume is downloaded again and the stored copy replaced',
    retryable: true,
  });
}

/** Counts (and, when asked, hashes) the bytes read back. */
class VerifyingSink extends Writable {
  bytes = 0;
  private readonly hash: Hash | null;

  constructor(hash: boolean) {
    super({ highWaterMark: 1024 * 1024 });
    this.hash = hash ? createHash('sha256') : null;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.bytes += chunk.length;
    this.hash?.update(chunk);
    callback();
  }

  digest(): string | null {
    return this.hash?.digest('hex') ?? null;
  }
}
