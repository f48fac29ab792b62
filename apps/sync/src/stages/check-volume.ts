import { NotFoundError, type ArchiveInfo } from '@grin/client';
import type { RawArchiveStat } from '../storage/index.js';
import { errorText } from './sync-errors.js';
import type { SyncContext } from './sync-context.js';
import type { TransferJob, VolumeOutcome } from './volume-outcome.js';

/**
 * The check (reference 5.5, with bugs 1-2 fixed). Storage metadata is the truth about what is
 * stored: it is written with the object (S3 user metadata; the local sidecar, present only while
 * it describes the bytes beside it), and an object only exists after a verified decryption. The
 * catalogue is made to agree with it:
 *
 * - storage holds GRIN's ETag and the catalogue agrees          -> skipped (etag_match)
 * - storage holds GRIN's ETag, the catalogue does not know      -> synced recorded from storage
 *   (reconciled_from_storage; e.g. killed between commit and the catalogue flush), no download
 * - storage holds another ETag / no ETag / nothing, or --force  -> transfer
 * - GRIN 404, storage holds a verified archive                   -> skipped (in_storage_not_on_grin)
 * - GRIN 404 otherwise                                           -> unavailable (not retried)
 *
 * With consumers (extraction stages) enabled, "the catalogue does not know" means their outputs
 * may be missing: the stored archive is read back for them instead of reconciled (`unrecorded`;
 * also when GRIN answers 404), without a download.
 *
 * A catalogue that says "synced" is never believed on its own: without the object in storage the
 * volume is transferred again.
 */
export async function checkVolume(barcode: string, ctx: SyncContext): Promise<TransferJob | VolumeOutcome> {
  const { stats, events } = ctx;
  let stored: RawArchiveStat | null;
  try {
    stored = await ctx.storage.statRaw(barcode);
  } catch (error) {
    events.checkFailed(barcode, { reason: 'storage_unreadable', error: errorText(error) });
    return { kind: 'failed', barcode, step: 'check', error: error as Error, attempts: 1 };
  }
  const usable = stored !== null && stored.encryptedEtag !== null ? { ...stored, encryptedEtag: stored.encryptedEtag } : null;
  // The catalogue's synced ETag, needed only when storage holds a usable copy.
  const recorded = usable === null ? null : ctx.recordedEtag(barcode);

  if (ctx.skipSynced && usable !== null && recorded === usable.encryptedEtag) {
    // --skip-synced: catalogue and storage agree that this version is synced; GRIN is not asked.
    // Nothing is recorded: nothing was checked or done.
    stats.checked++;
    return { kind: 'skipped', barcode, reason: 'already_synced' };
  }

  if (stored === null && ctx.headPolicy === 'when-stored') {
    // Nothing to compare with: the GET answers the check (its ETag and size are recorded with it).
    stats.checked++;
    return { barcode, head: null, reason: 'not_stored', stored: null };
  }

  let head: ArchiveInfo;
  try {
    head = await ctx.client.headArchive(barcode, { signal: ctx.abort });
  } catch (error) {
    if (ctx.abort.aborted) return { kind: 'aborted', barcode };
    stats.checked++;
    if (error instanceof NotFoundError) {
      if (usable !== null && (ctx.consumers.length === 0 || recorded === usable.encryptedEtag)) {
        return reconcile(barcode, usable, null, recorded, ctx, 'in_storage_not_on_grin');
      }
      if (usable !== null) {
        // GRIN no longer has it, but storage does and the extraction stages never completed for it.
        return { barcode, head: null, reason: 'unrecorded', stored: { etag: usable.encryptedEtag, size: usable.size, location: usable.location } };
      }
      events.checkFailed(barcode, { reason: 'not_available', httpStatus: 404 });
      return notAvailable(barcode, ctx);
    }
    const status = (error as { status?: number }).status;
    events.checkFailed(barcode, { reason: 'error', httpStatus: status ?? null, error: errorText(error) });
    return { kind: 'failed', barcode, step: 'check', error: error as Error, attempts: 1 };
  }
  stats.checked++;

  const sameVersion = usable !== null && usable.encryptedEtag === head.etag;
  // With consumers (extraction) a stored archive the catalogue does not know may lack their
  // outputs: the stored copy is read back for them (no download).
  const unrecorded = sameVersion && ctx.consumers.length > 0 && recorded !== head.etag;
  if (!ctx.force && sameVersion && !unrecorded) {
    return reconcile(barcode, usable, head, recorded, ctx, 'etag_match');
  }
  if (!ctx.force && unrecorded) {
    events.checked(barcode, { etag: head.etag, sizeBytes: head.size });
    return { barcode, head, reason: 'unrecorded', stored: { etag: usable.encryptedEtag, size: usable.size, location: usable.location } };
  }
  const reason: TransferJob['reason'] = ctx.force
    ? 'force'
    : stored === null
        ? 'not_stored'
        : stored.encryptedEtag === null
          ? 'etag_unknown'
          : 'etag_changed';
  events.checked(barcode, { etag: head.etag, sizeBytes: head.size });
  if (head.size !== null) {
    stats.sizesKnown++;
    stats.bytesKnown += head.size;
  }
  return { barcode, head, reason, stored: null };
}

/** Storage holds the archive: skip, recording `synced` first if the catalogue does not know it. */
function reconcile(
  barcode: string,
  stored: RawArchiveStat & { encryptedEtag: string },
  head: ArchiveInfo | null,
  recordedEtag: string | null,
  ctx: SyncContext,
  reason: 'etag_match' | 'in_storage_not_on_grin',
): VolumeOutcome {
  if (recordedEtag === stored.encryptedEtag) {
    ctx.events.skipped(barcode, { reason: reason === 'etag_match' ? 'skip_etag_match' : 'skip_found_in_storage_not_grin', etag: stored.encryptedEtag });
    return { kind: 'skipped', barcode, reason };
  }
  ctx.events.synced(barcode, {
    storagePath: stored.location,
    encryptedEtag: stored.encryptedEtag,
    isDecrypted: true,
    ...(head?.size != null ? { sizeBytes: head.size } : {}),
    reconciled: true,
  });
  return { kind: 'skipped', barcode, reason: reason === 'etag_match' ? 'reconciled_from_storage' : 'in_storage_not_on_grin' };
}

/** A 404: recorded, then handed to the not-available branch (conversion requests), if any. */
export async function notAvailable(barcode: string, ctx: SyncContext): Promise<VolumeOutcome> {
  if (ctx.notAvailable === undefined) return { kind: 'unavailable', barcode };
  try {
    const detail = await ctx.notAvailable(barcode, ctx.abort);
    return detail === null ? { kind: 'unavailable', barcode } : { kind: 'unavailable', barcode, detail };
  } catch (error) {
    if (ctx.abort.aborted) return { kind: 'aborted', barcode };
    return { kind: 'failed', barcode, step: 'check', error: error as Error, attempts: 1 };
  }
}
