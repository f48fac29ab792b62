import type { Readable, Writable } from 'node:stream';

/** Metadata recorded with a decrypted archive (reference 6.5). */
export interface RawArchiveMeta {
  /** GRIN ETag of the encrypted archive, without quotes. */
  encryptedEtag: string;
  /** Local-time ISO timestamp of the acquisition (no zone), as the earlier tool wrote it. */
  acquisitionDate: string;
  /** Name of the encrypted file, normally `BARCODE.tar.gz.gpg`. */
  originalFilename: string;
  /** Expected plaintext size in bytes, if known; lets the S3 backend pick a part size. */
  sizeHint?: number;
}

/** Something that has been durably stored at its final location. */
export interface StoredObject {
  /** Final path (local) or `s3://bucket/key`. */
  location: string;
  size: number;
  /** Hex SHA-256 of the stored bytes; only when the backend was created with `computeSha256: true`. */
  sha256?: string;
}

/** What storage really holds for one barcode's decrypted archive. */
export interface RawArchiveStat {
  size: number;
  /** Recorded encrypted ETag, or null when the archive exists but its ETag is unknown. */
  encryptedEtag: string | null;
  location: string;
}

/** A stored decrypted archive opened for reading. */
export interface StoredArchive {
  body: Readable;
  /** Size storage reports for the object. */
  size: number;
  /** Hex SHA-256 recorded when it was written (local sidecar), or null when storage keeps none. */
  sha256: string | null;
}

/**
 * An object being written. Nothing is visible at the final location until `commit()` resolves.
 * The producer writes `stream` and ends it; only then may `commit()` be called. `abort()` may be
 * called at any time (also after a failed commit) and leaves nothing at the final location.
 */
export interface PendingObject {
  readonly location: string;
  readonly stream: Writable;
  commit(): Promise<StoredObject>;
  abort(reason?: Error): Promise<void>;
}

/** One interface, two backends (local disk and S3-compatible object storage). */
export interface ArchiveStorage {
  readonly kind: 'local' | 's3';
  /** Human description, e.g. `local /data/grin`. */
  describe(): string;
  /**
   * Start-up check, before anything is downloaded: the configured places exist and can be written
   * (local) or reached with these credentials (S3). Bad settings reject with
   * `StorageError('storage_config')`; storage that stays unreachable after retries with
   * `storage_read_failed`. Writes nothing that stays. An aborted `signal` rejects with its reason.
   */
  probe(signal?: AbortSignal): Promise<void>;
  /** Final location of a barcode's decrypted archive: a path or `s3://bucket/key`. */
  rawLocation(barcode: string): string;
  /** Begin writing the decrypted archive; nothing is visible at the final location until commit(). */
  beginRaw(barcode: string, meta: RawArchiveMeta): Promise<PendingObject>;
  /** What storage really holds for this barcode, or null. */
  statRaw(barcode: string): Promise<RawArchiveStat | null>;
  /**
   * Open a barcode's decrypted archive for reading (the extraction stages read a stored copy back
   * instead of downloading it again). Rejects with `StorageError('storage_read_failed')` when it
   * cannot be opened; an aborted `signal` rejects with its reason.
   */
  openRaw(barcode: string, signal: AbortSignal): Promise<StoredArchive>;
  /** Store a derived file (e.g. `BARCODE_ocr.jsonl.gz`) in the full-text area, atomically. */
  putFull(name: string, body: Readable | Buffer, meta: Record<string, string>): Promise<StoredObject>;
  /** Store a run record (e.g. `books_latest.csv.gz`, `timestamped/…`) in the meta area, atomically. */
  putMeta(name: string, body: Readable | Buffer, meta?: Record<string, string>): Promise<StoredObject>;
  /**
   * Remove a meta object if it exists (e.g. the `books_latest.csv.gz` a run with compression on left,
   * once an uncompressed `books_latest.csv` replaced it). Rejects with `StorageError('storage_write_failed')`.
   */
  removeMeta(name: string): Promise<void>;
  /**
   * Remove a full-text object if it exists (the other `BARCODE_ocr.jsonl[.gz]` variant when a
   * volume is synced again with the other `--skip-compression-full` setting). Rejects with
   * `StorageError('storage_write_failed')`.
   */
  removeFull(name: string): Promise<void>;
  /** The `location` putFull gives `name` (nothing is read or written). */
  fullLocation(name: string): string;
  /** Release clients/handles. Pending objects must be committed or aborted first. */
  close(): Promise<void>;
}
