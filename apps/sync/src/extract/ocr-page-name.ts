/** Highest page number accepted (reference 6.4). */
export const MAX_OCR_PAGE = 999_999;

/**
 * The page number of an OCR page file name (`NNNNNNNN.txt`: exactly 8 digits, 1..999,999), or
 * null for any other name. Only the base name is looked at; the file may be in any directory.
 */
export function ocrPageNumber(baseName: string): number | null {
  const match = /^([0-9]{8})\.txt$/.exec(baseName);
  if (match === null) return null;
  const page = Number(match[1]);
  return page >= 1 && page <= MAX_OCR_PAGE ? page : null;
}

/** The name a volume's OCR JSONL is stored under: `BARCODE_ocr.jsonl.gz`, or `BARCODE_ocr.jsonl` uncompressed. */
export function ocrFileName(barcode: string, compressed: boolean): string {
  return `${barcode}_ocr.jsonl${compressed ? '.gz' : ''}`;
}
