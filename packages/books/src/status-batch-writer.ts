import { marcColumnValues, type BookColumnValues, type MarcRecord } from './book-columns.js';
import { BatchedEventWriter } from './batched-event-writer.js';
import { isoTimestamp } from './timestamp.js';

/** `conversion` status values (reference 1.8 / 3.5). `requested` also sets `processing_request_timestamp`. */
export type ConversionStatus =
  | 'requested'
  | 'in_process'
  | 'unavailable'
  | 'skipped'
  | 'limit_reached'
  | 'failed'
  | 'conversion_failed'
  | 'tracking_failed';

export interface ConversionDetails {
  /** GRIN's response text (the `_process` TSV status). */
  grinResponse?: string;
  reason?: string;
  requestCount?: number;
  error?: string;
  /** From GRIN's `_failed` list, for `conversion_failed`. */
  failedDate?: string | null;
  failedInfo?: string | null;
  detailedFailedInfo?: string | null;
}

export interface SyncedDetails {
  /** Where the archive now is: a local path, or `s3://bucket/key` (the storage's `rawLocation`). */
  storagePath: string;
  /** GRIN's ETag of the encrypted archive that was stored (quotes stripped). */
  encryptedEtag: string;
  /** Whether the stored object is the decrypted archive. */
  isDecrypted: boolean;
  sizeBytes?: number;
  /** HEAD 404 but the archive verified present in storage (reference 3.5 case b). */
  reconciled?: boolean;
}

/**
 * Batched status writer with typed helpers for the sync events of reference 3.5 / 3.6.
 * Every helper appends a `book_status_history` row and updates the book's columns in the same
 * commit. History `sync` values: checked, skipped, check_failed, downloaded, download_failed,
 * decrypted, decrypt_failed, unpacked, unpack_failed, stored, store_failed (the reference's
 * uploaded / upload_failed), synced, failed.
 *
 * Correctness rule (reference 11, bugs 1-2): `storage_path`, `encrypted_etag`, `sync_timestamp`
 * and `is_decrypted` are written ONLY by `synced()` — after the archive is stored and verified.
 * Download, decrypt and store events only record their step (`sync_status`, `sync_error`,
 * `encrypted_size`), so a volume that failed half-way never looks stored.
 */
export class StatusBatchWriter extends BatchedEventWriter {
  /** HEAD 200; a download is needed. */
  checked(barcode: string, d: { etag: string | null; sizeBytes?: number | null }): void {
    this.sync(barcode, 'checked', { etag: d.etag, file_size_bytes: d.sizeBytes ?? null }, (ts) => ({
      last_etag_check: ts,
      ...(d.sizeBytes != null ? { encrypted_size: d.sizeBytes } : {}),
      sync_error: null,
    }));
  }

  /** Nothing to do, e.g. `skip_etag_match` (stored ETag equals GRIN's). */
  skipped(barcode: string, d: { reason: string; etag?: string | null }): void {
    this.sync(barcode, 'skipped', { reason: d.reason, etag: d.etag ?? null }, (ts) => ({
      last_etag_check: ts,
      sync_error: null,
    }));
  }

  /** HEAD failed; `reason` e.g. `not_available` (404), `unexpected_status`, `error`. */
  checkFailed(
    barcode: string,
    d: { reason: string; httpStatus?: number | null; etag?: string | null; sizeBytes?: number | null; error?: string },
  ): void {
    this.sync(
      barcode,
      'check_failed',
      {
        reason: d.reason,
        http_status_code: d.httpStatus ?? null,
        etag: d.etag ?? null,
        file_size_bytes: d.sizeBytes ?? null,
        ...(d.error !== undefined ? { error: d.error } : {}),
      },
      (ts) => ({ last_etag_check: ts, sync_error: d.error ?? d.reason }),
    );
  }

  /** Archive downloaded (or streamed) completely. Does NOT record the ETag as stored. */
  downloaded(barcode: string, d: { etag: string; sizeBytes: number }): void {
    this.sync(barcode, 'downloaded', { etag: d.etag, file_size_bytes: d.sizeBytes }, () => ({
      encrypted_size: d.sizeBytes,
      sync_error: null,
    }));
  }

  downloadFailed(barcode: string, d: { error: string; httpStatus?: number | null }): void {
    this.failure(barcode, 'download_failed', d.error, { http_status_code: d.httpStatus ?? null });
  }

  /**
   * gpg verified the archive. `integrityProtected: false` marks a legacy archive (64-bit cipher,
   * no integrity packet) accepted with --allow-legacy-without-integrity: the history row keeps it.
   */
  decrypted(barcode: string, d: { cipher?: string | null; integrityProtected?: boolean } = {}): void {
    const details =
      d.cipher === undefined && d.integrityProtected === undefined
        ? null
        : { cipher: d.cipher ?? null, integrity_protected: d.integrityProtected ?? null };
    this.sync(barcode, 'decrypted', details, () => ({ sync_error: null }));
  }

  decryptFailed(barcode: string, d: { error: string }): void {
    this.failure(barcode, 'decrypt_failed', d.error);
  }

  unpacked(barcode: string): void {
    this.sync(barcode, 'unpacked', null, () => ({ sync_error: null }));
  }

  unpackFailed(barcode: string, d: { error: string }): void {
    this.failure(barcode, 'unpack_failed', d.error);
  }

  /** Object written to storage (not yet verified / not yet all extractions done). */
  stored(barcode: string, d: { path: string }): void {
    this.sync(barcode, 'stored', { path: d.path }, () => ({ sync_error: null }));
  }

  storeFailed(barcode: string, d: { error: string }): void {
    this.failure(barcode, 'store_failed', d.error);
  }

  /** The volume ends failed (any step); the catalogue's synced state is left as it was. */
  failed(barcode: string, d: { error: string; step?: string }): void {
    this.failure(barcode, 'failed', d.error, d.step !== undefined ? { step: d.step } : {});
  }

  /** The archive is stored and verified: the only event that marks a volume synced. */
  synced(barcode: string, d: SyncedDetails): void {
    this.sync(
      barcode,
      'synced',
      {
        path: d.storagePath,
        etag: d.encryptedEtag,
        is_decrypted: d.isDecrypted,
        file_size_bytes: d.sizeBytes ?? null,
        ...(d.reconciled ? { reconciled_from_storage: true } : {}),
      },
      (ts) => ({
        storage_path: d.storagePath,
        encrypted_etag: d.encryptedEtag,
        sync_timestamp: ts,
        is_decrypted: d.isDecrypted ? 1 : 0,
        ...(d.sizeBytes != null ? { encrypted_size: d.sizeBytes } : {}),
        sync_error: null,
      }),
    );
  }

  /** A conversion request outcome or GRIN's failed-conversion record (type `conversion`). */
  conversion(barcode: string, status: ConversionStatus, d: ConversionDetails = {}): void {
    const metadata = compact({
      grin_response: d.grinResponse,
      reason: d.reason,
      request_count: d.requestCount,
      error: d.error,
      grin_convert_failed_date: d.failedDate,
      grin_convert_failed_info: d.failedInfo,
      grin_detailed_convert_failed_info: d.detailedFailedInfo,
    });
    const timestamp = this.ts();
    this.record({
      barcode,
      statusType: 'conversion',
      statusValue: status,
      metadata,
      columns: status === 'requested' ? { processing_request_timestamp: timestamp } : null,
      timestamp,
    });
  }

  /** MARC extracted: replaces every MARC column and sets `marc_extraction_timestamp`. */
  marcExtracted(barcode: string, marc: MarcRecord, d: { fieldCount: number }): void {
    const timestamp = this.ts();
    this.record({
      barcode,
      statusType: 'marc_extraction',
      statusValue: 'completed',
      metadata: { field_count: d.fieldCount },
      columns: { ...marcColumnValues(marc), marc_extraction_timestamp: timestamp },
      timestamp,
    });
  }

  /** MARC extraction failed, or the volume has none (`error: 'no_marc_metadata'`). */
  marcFailed(barcode: string, d: { error: string }): void {
    this.record({ barcode, statusType: 'marc_extraction', statusValue: 'failed', metadata: { error: d.error } });
  }

  textExtracted(barcode: string, d: { pageCount: number; extractionTimeMs?: number; path?: string }): void {
    this.record({
      barcode,
      statusType: 'text_extraction',
      statusValue: 'completed',
      metadata: compact({ page_count: d.pageCount, extraction_time_ms: d.extractionTimeMs, path: d.path }),
    });
  }

  textFailed(barcode: string, d: { error: string }): void {
    this.record({ barcode, statusType: 'text_extraction', statusValue: 'failed', metadata: { error: d.error } });
  }

  private sync(
    barcode: string,
    value: string,
    metadata: Record<string, unknown> | null,
    columns: (timestamp: string) => BookColumnValues,
  ): void {
    const timestamp = this.ts();
    this.record({
      barcode,
      statusType: 'sync',
      statusValue: value,
      metadata,
      columns: { ...columns(timestamp), sync_status: value },
      timestamp,
    });
  }

  private failure(barcode: string, value: string, error: string, extra: Record<string, unknown> = {}): void {
    this.sync(barcode, value, { error, ...extra }, () => ({ sync_error: error }));
  }

  private ts(): string {
    return isoTimestamp(this.now());
  }
}

function compact(values: Record<string, unknown>): Record<string, unknown> | null {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) if (v !== undefined) out[k] = v;
  return Object.keys(out).length > 0 ? out : null;
}
