export type { ArchiveStorage, PendingObject, RawArchiveMeta, RawArchiveStat, StoredArchive, StoredObject } from './archive-storage.js';
export { StorageError, type StorageErrorCode, type StorageWarning } from './storage-error.js';
export { assertSafeBarcode, assertSafeObjectName } from './names.js';
export { LocalStorage, type LocalStorageOptions, type RawSidecar } from './local-storage.js';
export { S3Storage } from './s3-storage.js';
export { createS3Client, partSizeFor, s3Presets, type S3StorageOptions } from './s3-options.js';
