import type { SimulatedBook } from '@grin/simulator';
import { grinDateToIso, type ListingRow } from '../../src/index.js';

/** The ListingRow a simulator book must map to on a listing page (reference 1.5 mapping). */
export function expectedRow(book: SimulatedBook, list: '_all_books' | '_converted' | '_failed'): ListingRow {
  const extra: Record<string, string> = {};
  if (list === '_failed' && book.conversionFailure) {
    const f = book.conversionFailure;
    if (f.date !== '') extra['convert_failed_date'] = f.date;
    if (f.info !== '') extra['convert_failed_info'] = f.info;
    if (f.detailedInfo !== '') extra['detailed_convert_failed_info'] = f.detailedInfo;
  }
  const dates = list !== '_failed';
  return {
    barcode: book.barcode,
    title: book.title,
    grinState: list === '_all_books' ? book.state : null,
    scannedDate: dates ? grinDateToIso(book.scannedDate) : null,
    analyzedDate: dates ? grinDateToIso(book.analyzedDate) : null,
    convertedDate: dates ? grinDateToIso(book.convertedDate) : null,
    downloadedDate: dates ? grinDateToIso(book.downloadedDate) : null,
    processedDate: dates ? grinDateToIso(book.processedDate) : null,
    ocrDate: dates ? grinDateToIso(book.ocrDate) : null,
    googleBooksLink: dates ? book.googleBooksLink : '',
    extra,
  };
}
