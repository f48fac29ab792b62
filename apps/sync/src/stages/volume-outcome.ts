/** The step a volume failed in. */
export type FailureStep = 'check' | 'download' | 'decrypt' | 'store' | 'verify' | 'extract' | 'record';

/** How one volume ended in this run. */
export type VolumeOutcome =
  | {
      kind: 'synced';
      barcode: string;
      /** GRIN ETag of the archive that was stored. */
      etag: string;
      /** Encrypted bytes received (the archive's size). */
      encryptedBytes: number;
      /** Decrypted bytes stored. */
      storedBytes: number;
      /** Final path or `s3://bucket/key`. */
      location: string;
      attempts: number;
      /**
       * `grin`: downloaded and decrypted now. `storage`: the archive storage already held (GRIN's
       * ETag) was read back for the extraction stages, which had not completed for it (e.g. an
       * extraction failed or the run was killed after the commit); nothing was downloaded.
       */
      source: 'grin' | 'storage';
    }
  | {
      kind: 'skipped';
      barcode: string;
      /**
       * - etag_match: storage holds the archive with GRIN's ETag and the catalogue agrees;
       * - reconciled_from_storage: storage holds it with GRIN's ETag, the catalogue did not know
       *   (e.g. killed between commit and catalogue flush): recorded as synced, nothing downloaded;
       * - in_storage_not_on_grin: GRIN answers 404 but storage holds a verified archive;
       * - already_synced: --skip-synced, recorded as synced and held by storage; GRIN not asked;
       * - duplicate: the same barcode is already in flight in this run.
       */
      reason: 'etag_match' | 'already_synced' | 'reconciled_from_storage' | 'in_storage_not_on_grin' | 'duplicate';
    }
  | {
      kind: 'unavailable';
      barcode: string;
      /** What the not-available branch did, e.g. `conversion_requested` (issue 6); absent = nothing. */
      detail?: string;
    }
  | { kind: 'failed'; barcode: string; step: FailureStep; error: Error; attempts: number }
  /** Cut short by a hard stop (second Ctrl-C): neither success nor failure. */
  | { kind: 'aborted'; barcode: string };

/** A stored archive (storage metadata): what the extraction stages can read back. */
export interface StoredRef {
  /** GRIN ETag recorded with the object. */
  etag: string;
  size: number;
  location: string;
}

/** A volume the check decided to process. */
export interface TransferJob {
  barcode: string;
  /** The HEAD answer, when a HEAD was made (its ETag must match the GET's). */
  head: { etag: string; size: number | null } | null;
  /**
   * Why it is processed. `unrecorded`: storage holds GRIN's current version but the catalogue does
   * not record it synced and extraction stages are on — their outputs may be missing, so the stored
   * archive is read back for them (`stored`), falling back to a download if it cannot be read.
   */
  reason: 'not_stored' | 'etag_unknown' | 'etag_changed' | 'unrecorded' | 'force';
  /** For `unrecorded`: the stored archive to read back. */
  stored: StoredRef | null;
}
