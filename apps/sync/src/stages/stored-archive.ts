import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { LocalStorage, S3Storage, StorageError, type ArchiveStorage } from '../storage/index.js';

/** A stored decrypted archive opened for reading. */
export interface StoredArchive {
  body: Readable;
  /** Size storage reports for the object. */
  size: number;
  /** Hex SHA-256 recorded when it was written (local sidecar), or null when storage keeps none. */
  sha256: string | null;
}

const READ_CHUNK = 1024 * 1024;

/**
 * Opens a barcode's stored decrypted archive for reading, or returns null when the backend cannot
 * be read back here. ArchiveStorage has no read method yet (see the report: `openRaw` belongs in
 * src/storage); until it has, the two backends are read directly: the local file (its sidecar's
 * SHA-256 lets the caller verify the bytes) or the S3 object (GetObject on the raw key).
 */
export async function openStoredArchive(storage: ArchiveStorage, barcode: string, signal: AbortSignal): Promise<StoredArchive | null> {
  try {
    if (storage instanceof LocalStorage) {
      const path = storage.rawLocation(barcode);
      const sidecar = await storage.readRawSidecar(barcode);
      const { size } = await stat(path);
      return { body: createReadStream(path, { highWaterMark: READ_CHUNK, signal }), size, sha256: sidecar?.sha256 || null };
    }
    if (storage instanceof S3Storage) {
      const location = storage.rawLocation(barcode);
      const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(location);
      if (match === null) return null;
      const got = await storage.client.send(new GetObjectCommand({ Bucket: match[1], Key: match[2] }), { abortSignal: signal });
      return { body: got.Body as Readable, size: got.ContentLength ?? -1, sha256: null };
    }
    return null;
  } catch (error) {
    if (signal.aborted) throw error;
    throw new StorageError('storage_read_failed', `cannot read the stored archive of ${barcode}: ${(error as Error).message}`, {
      hint: 'check that storage is reachable and readable; the volume is downloaded again instead',
      retryable: true,
      cause: error,
    });
  }
}
