import { StorageError } from './storage-error.js';

// Barcodes become path segments and object keys, so anything that could change the path
// (separators, dot segments, whitespace, control characters) is refused before any I/O.
// A leading dot is refused too: the local backend keeps its temp files as dot-files.
const BARCODE_RE = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

/** Throws `StorageError('invalid_barcode')` unless the barcode is safe as a file name and key. */
export function assertSafeBarcode(barcode: string): void {
  if (!BARCODE_RE.test(barcode) || barcode.includes('..')) {
    throw new StorageError('invalid_barcode', `refusing unsafe barcode ${JSON.stringify(barcode)}`, {
      hint: 'barcodes may contain only letters, digits, "_", "-" and single inner dots',
      retryable: false,
    });
  }
}

const SEGMENT_RE = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,254}$/;

/**
 * Throws `StorageError('invalid_object_name')` unless `name` is a relative `/`-separated path of
 * safe segments (no empty, `.`/`..` or dot-leading segment, no backslash, whitespace or control char).
 */
export function assertSafeObjectName(name: string): void {
  const segments = name.split('/');
  const ok = name.length > 0 && name.length <= 1024 && segments.every((s) => SEGMENT_RE.test(s) && !s.includes('..'));
  if (!ok) {
    throw new StorageError('invalid_object_name', `refusing unsafe object name ${JSON.stringify(name)}`, {
      hint: 'object names are relative paths of letters, digits, "_", "-", "." separated by "/"',
      retryable: false,
    });
  }
}
