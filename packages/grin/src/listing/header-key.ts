/**
 * Normalises a listing header text to a key (reference 1.4): lower-case, whitespace runs and
 * hyphens -> `_`, apostrophes removed. `OCR'd Date` -> `ocrd_date`.
 */
export function normaliseHeaderKey(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/['\u2019\u2018`]/g, '')
    .replace(/[\s-]+/g, '_');
}
