import { BARCODE_SEARCH_COLUMNS } from './enrichment.js';
import type { Library } from './library.js';

/** `_barcode_search` TSV: header row, then one line per known barcode (unknown ones omitted). */
export function barcodeSearchTsv(library: Library, barcodes: readonly string[]): string {
  let tsv = `${BARCODE_SEARCH_COLUMNS.join('\t')}\n`;
  for (const barcode of barcodes) {
    const book = library.byBarcode(barcode);
    if (!book) continue;
    tsv += `${BARCODE_SEARCH_COLUMNS.map((column) => (book.enrichment[column] ?? '').replace(/[\t\n]/g, ' ')).join('\t')}\n`;
  }
  return tsv;
}
