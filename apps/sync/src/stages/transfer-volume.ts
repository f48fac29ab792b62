import { Writable } from 'node:stream';
import { backoffDelay, GrinError, NotFoundError, type ArchiveDownload } from '@grin/client';
import { DecryptError, decryptToStorage } from '../decrypt/index.js';
import { StorageError } from '../storage/index.js';
import { notAvailable } from './check-volume.js';
import { localIsoTimestamp } from './local-time.js';
import { completeConsumers, discardConsumers } from './consumer-runs.js';
import { extractFromStorage, isStoredCopyProblem } from './extract-from-storage.js';
import type { ConsumerRun } from './plaintext-consumer.js';
import { asError, errorText, isCodedError, SyncError } from './sync-errors.js';
import type { SyncContext } from './sync-context.js';
import type { FailureStep, StoredRef, TransferJob, VolumeOutcome } from './volume-outcome.js';
import { VolumeBytes } from './volume-bytes.js';

/**
 * The processing stage for one volume: GET streamed straight into gpg, the plaintext teed into the
 * pending storage object (and every consumer), commit only after gpg verified the archive, then
 * VERIFY what storage holds (size and ETag) before recording `synced`. Any failure aborts the
 * pending object (nothing appears at the final location) and, when retryable, the volume starts
 * again from scratch with a fresh GET after a backoff. A 404 on the GET means the archive went
 * away: the volume is unavailable, not failed.
 */
export async function transferVolume(job: TransferJob, ctx: SyncContext): Promise<VolumeOutcome> {
  const { barcode } = job;
  // A volume read back from storage needs no download: its size is not work for the ETA.
  const bytes = new VolumeBytes(ctx.stats, job.stored === null ? (job.head?.size ?? null) : null);
  let head = job.head;
  let recheck = false;
  // The stored archive the extraction stages read back instead of a download: the check's
  // `unrecorded` volumes, and a volume whose own commit succeeded but whose extraction failed
  // retryably (e.g. the OCR upload).
  let fromStorage: StoredRef | null = job.stored;
  const committed: { ref: StoredRef | null } = { ref: null };
  for (let attempt = 1; ; attempt++) {
    try {
      if (fromStorage !== null) {
        try {
          return await extractFromStorage(barcode, fromStorage, attempt, ctx);
        } catch (error) {
          const err = asError(error);
          if (ctx.abort.aborted || !isStoredCopyProblem(err)) throw err;
          // The stored copy cannot be read or is not what was recorded: download it again.
          ctx.log(`${barcode}: ${errorText(err)}; downloading it again`);
          fromStorage = null;
          // Counted as settled at 0 bytes by the check; it is a download after all.
          ctx.stats.settledWithoutBytes--;
          if (head !== null) bytes.setSize(head.size);
        }
      }
      if (recheck) {
        // The archive changed under us: re-check so the next GET is compared with the new ETag.
        const info = await ctx.client.headArchive(barcode, { signal: ctx.abort });
        head = { etag: info.etag, size: info.size };
        bytes.setSize(info.size);
        ctx.events.checked(barcode, { etag: info.etag, sizeBytes: info.size });
        recheck = false;
      }
      const outcome = await attemptTransfer(barcode, head, attempt, job.reason !== 'not_stored', bytes, committed, ctx);
      bytes.succeeded();
      return outcome;
    } catch (error) {
      const err = asError(error);
      bytes.attemptFailed();
      if (ctx.abort.aborted) return { kind: 'aborted', barcode };
      if (err instanceof NotFoundError) {
        bytes.abandoned();
        ctx.events.checkFailed(barcode, { reason: 'not_available', httpStatus: 404 });
        return notAvailable(barcode, ctx);
      }
      const step = stepOf(err);
      recordStepFailure(barcode, step, err, ctx);
      const retryable = isCodedError(err) && err.retryable === true;
      if (!retryable || attempt >= ctx.retry.attempts) {
        bytes.abandoned();
        ctx.events.failed(barcode, { error: errorText(err), step });
        return { kind: 'failed', barcode, step, error: err, attempts: attempt };
      }
      ctx.stats.retries++;
      ctx.stats.countReason('retry', isCodedError(err) ? err.code : (err as Error).name);
      ctx.log(`${barcode}: attempt ${attempt} failed (${errorText(err)}); retrying`);
      if (err instanceof SyncError && err.code === 'etag_changed') recheck = true;
      // The archive is stored and verified; only an extraction stage failed: read it back next time.
      if (step === 'extract' && committed.ref !== null) fromStorage = committed.ref;
      const retryAfter = err instanceof GrinError ? err.retryAfterMs : null;
      const delay = retryAfter ?? backoffDelay(attempt, ctx.retry.baseDelayMs, ctx.retry.maxDelayMs, ctx.retry.random);
      try {
        await ctx.retry.sleep(delay, ctx.abort);
      } catch {
        return { kind: 'aborted', barcode };
      }
    }
  }
}

async function attemptTransfer(
  barcode: string,
  head: TransferJob['head'],
  attempt: number,
  /** Storage held an archive of this barcode before (see ConsumerVolume.replacing). */
  replacing: boolean,
  bytes: VolumeBytes,
  committed: { ref: StoredRef | null },
  ctx: SyncContext,
): Promise<VolumeOutcome & { kind: 'synced' }> {
  committed.ref = null;
  const { abort } = ctx;
  const release = await ctx.permits.acquire(abort);
  let download: ArchiveDownload;
  let halfway = Infinity;
  let received = 0;
  try {
    download = await ctx.client.downloadArchive(barcode, {
      signal: abort,
      onBytes: (n) => {
        received += n;
        bytes.received(n);
        if (received >= halfway) {
          halfway = Infinity;
          ctx.checkpoint?.('download', barcode);
        }
      },
    });
  } catch (error) {
    release();
    throw error;
  }
  const body = download.body;
  // The permit is GRIN's: held until the body is closed (read to its end, failed or dropped).
  body.once('close', release);
  if (body.closed) release();
  halfway = download.size === null ? Infinity : Math.max(1, Math.floor(download.size / 2));

  const runs: ConsumerRun[] = [];
  try {
    if (head !== null && head.etag !== download.etag) {
      throw new SyncError('etag_changed', `${barcode}: GRIN's ETag changed between check (${head.etag}) and download (${download.etag})`, {
        hint: 'the archive was replaced on GRIN meanwhile; it is checked and downloaded again',
        retryable: true,
      });
    }
    bytes.setSize(download.size);
    const pending = await ctx.storage.beginRaw(barcode, {
      encryptedEtag: download.etag,
      acquisitionDate: localIsoTimestamp(ctx.now()),
      originalFilename: `${barcode}.tar.gz.gpg`,
      ...(download.size === null ? {} : { sizeHint: download.size }),
    });
    for (const consumer of ctx.consumers) runs.push(consumer.start({ barcode, encryptedEtag: download.etag, attempt, source: 'grin', replacing }, abort));
    const consumerErrors = new Map<object, Error>();
    const extraSinks = runs.map((r) => r.sink);
    const hook = ctx.checkpoint;
    // Only the crash tests' hook wants to know when plaintext is flowing; no extra sink otherwise.
    if (hook !== undefined) extraSinks.push(plaintextCheckpointSink(() => hook('plaintext', barcode)));

    const result = await decryptToStorage(body, ctx.decryptor, pending, {
      signal: abort,
      extraSinks,
      onExtraSinkError: (sink, error) => consumerErrors.set(sink, error),
    });
    ctx.checkpoint?.('committed', barcode);

    if (download.size !== null && received !== download.size) {
      throw verifyError(barcode, `received ${received} bytes, Content-Length said ${download.size}`);
    }
    if (result.decrypt.bytesIn !== received) {
      throw verifyError(barcode, `gpg read ${result.decrypt.bytesIn} bytes of the ${received} received`);
    }
    const stat = await ctx.storage.statRaw(barcode);
    if (stat === null) throw verifyError(barcode, `nothing at ${result.stored.location} after commit`);
    if (stat.size !== result.stored.size || stat.size !== result.decrypt.bytesOut) {
      throw verifyError(barcode, `storage holds ${stat.size} bytes, ${result.stored.size} were written (${result.decrypt.bytesOut} decrypted)`);
    }
    if (stat.encryptedEtag !== download.etag) {
      throw verifyError(barcode, `storage records ETag ${String(stat.encryptedEtag)}, expected ${download.etag}`);
    }

    committed.ref = { etag: download.etag, size: stat.size, location: stat.location };
    await completeConsumers(barcode, runs, consumerErrors, ctx);

    ctx.events.downloaded(barcode, { etag: download.etag, sizeBytes: received });
    ctx.events.decrypted(barcode, { cipher: result.decrypt.cipher, integrityProtected: result.decrypt.integrityProtected });
    if (!result.decrypt.integrityProtected) {
      ctx.log(`${barcode}: accepted without integrity protection (${result.decrypt.cipher ?? 'legacy cipher'}, --allow-legacy-without-integrity); recorded in its decrypted history row`);
    }
    ctx.events.stored(barcode, { path: stat.location });
    ctx.events.synced(barcode, { storagePath: stat.location, encryptedEtag: download.etag, isDecrypted: true, sizeBytes: received });
    ctx.stats.bytesStored += stat.size;
    ctx.checkpoint?.('recorded', barcode);
    return { kind: 'synced', barcode, etag: download.etag, encryptedBytes: received, storedBytes: stat.size, location: stat.location, attempts: attempt, source: 'grin' };
  } catch (error) {
    if (!body.destroyed) body.destroy();
    await discardConsumers(runs, asError(error));
    throw error;
  }
}

/** A sink that calls `hit` once, after the first 64 KiB of plaintext went through the tee. */
function plaintextCheckpointSink(hit: () => void): Writable {
  let seen = 0;
  let fired = false;
  return new Writable({
    write(chunk: Buffer, _enc, callback) {
      seen += chunk.length;
      if (!fired && seen >= 64 * 1024) {
        fired = true;
        hit();
      }
      callback();
    },
  });
}

function verifyError(barcode: string, detail: string): SyncError {
  return new SyncError('verify_failed', `${barcode}: verification after commit failed: ${detail}`, {
    hint: 'the stored archive does not match what was written; it is transferred again',
    retryable: true,
  });
}

/** The step an error belongs to, for the catalogue and the failure reasons. */
export function stepOf(err: Error): FailureStep {
  if (err instanceof SyncError) {
    if (err.code === 'verify_failed') return 'verify';
    if (err.code === 'consumer_failed') return 'extract';
    if (err.code === 'stored_copy_damaged') return 'verify';
    if (err.code === 'catalogue_write_failed') return 'record';
    return 'download';
  }
  if (err instanceof DecryptError) return 'decrypt';
  if (err instanceof StorageError) return 'store';
  if (err instanceof GrinError) return 'download';
  return 'download';
}

function recordStepFailure(barcode: string, step: FailureStep, err: Error, ctx: SyncContext): void {
  const text = errorText(err);
  switch (step) {
    case 'download':
      ctx.events.downloadFailed(barcode, { error: text, httpStatus: (err as { status?: number }).status ?? null });
      break;
    case 'decrypt':
      ctx.events.decryptFailed(barcode, { error: text });
      break;
    case 'store':
    case 'verify':
      ctx.events.storeFailed(barcode, { error: text });
      break;
    default:
      break;
  }
}
