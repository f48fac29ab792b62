import { SyncError } from '../stages/sync-errors.js';

/** What a barcode may look like (reference 5.2): 3-50 characters of `[A-Za-z0-9_-]`. */
export const BARCODE_PATTERN = /^[A-Za-z0-9_-]{3,50}$/;

/** Why `describeInvalidBarcode` refused a barcode, for the message. */
function whyInvalid(barcode: string): string {
  if (barcode.length < 3) return 'shorter than 3 characters';
  if (barcode.length > 50) return 'longer than 50 characters';
  if (barcode.includes('/') || barcode.includes('\\')) return 'contains a path separator';
  if (barcode.includes('..')) return 'contains ".."';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(barcode)) return 'contains a control character';
  if (/\s/.test(barcode)) return 'contains whitespace';
  return 'contains a character outside A-Z, a-z, 0-9, "_" and "-"';
}

/** True when `barcode` is safe to use as a file name, object key and URL segment. */
export function isValidBarcode(barcode: string): boolean {
  return BARCODE_PATTERN.test(barcode);
}

/** Throws `SyncError('invalid_barcode')` unless the barcode matches {@link BARCODE_PATTERN}. */
export function assertValidBarcode(barcode: string, where: string): void {
  if (isValidBarcode(barcode)) return;
  throw new SyncError('invalid_barcode', `refusing barcode ${JSON.stringify(barcode)} (${where}): it ${whyInvalid(barcode)}`, {
    hint: 'A barcode is 3-50 letters, digits, "_" or "-" (no "/", "..", spaces or control characters). Fix the list and run again; nothing was done.',
    retryable: false,
  });
}
