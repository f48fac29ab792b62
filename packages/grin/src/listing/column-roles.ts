/** What a listing column feeds. Decided once per page from its normalised header key. */
export type ColumnRole =
  | 'skip'
  | 'barcode'
  | 'filename'
  | 'title'
  | 'scannedDate'
  | 'convertedDate'
  | 'downloadedDate'
  | 'processedDate'
  | 'analyzedDate'
  | 'ocrDate'
  | 'googleBooksLink'
  | 'grinState'
  | 'extra';

/** Reference 1.5 rules, in order: the first whose substring occurs in the key wins. */
const RULES: ReadonlyArray<readonly [readonly string[], ColumnRole]> = [
  [['title'], 'title'],
  [['scanned'], 'scannedDate'],
  [['converted'], 'convertedDate'],
  [['downloaded'], 'downloadedDate'],
  [['processed'], 'processedDate'],
  [['analyzed', 'analysed'], 'analyzedDate'],
  [['ocr'], 'ocrDate'],
  [['google', 'books'], 'googleBooksLink'],
  [['state', 'status'], 'grinState'],
];

export function columnRole(key: string): ColumnRole {
  if (key === '') return 'skip';
  if (key === 'barcode') return 'barcode';
  if (key === 'filename' || key === 'file_name') return 'filename';
  for (const [needles, role] of RULES) {
    for (const needle of needles) if (key.includes(needle)) return role;
  }
  return 'extra';
}

/** Columns whose value is the `href` of a link in the cell rather than its text. */
export function isLinkColumn(key: string, role: ColumnRole): boolean {
  return role === 'googleBooksLink' || (role === 'extra' && /link|url/.test(key));
}
