import type { ListingBook } from '../library/library.js';
import type { ListName } from '../types.js';

export type HeaderVariant = 'short' | 'long';

const ESCAPE_ALL = /[&<>"']/g;
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** HTML text/attribute escaping with a fast path for the common clean string. */
export function escapeHtml(value: string): string {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    // & " ' < > are 38, 34, 39, 60, 62
    if (c === 38 || c === 60 || c === 62 || c === 34 || c === 39) return value.replace(ESCAPE_ALL, (m) => ENTITIES[m] as string);
  }
  return value;
}

/**
 * Header cell texts (already HTML) per list and variant; '' = the blank checkbox column.
 * The long variant writes the apostrophe as an entity, as some GRIN pages do.
 */
export function listingHeaders(list: ListName, variant: HeaderVariant): string[] {
  const long = variant === 'long';
  const dates = long
    ? ['Scanned Date', 'Analyzed Date', 'Converted Date', 'Downloaded Date', 'Processed Date', 'OCR&#39;d Date']
    : ['Scanned', 'Analyzed', 'Converted', 'Downloaded', 'Processed', "OCR'd"];
  const link = long ? 'Google Books Link' : 'Google Books';
  switch (list) {
    case '_converted': {
      const [scanned, analyzed, converted, downloaded, processed, ocr] = dates as [string, string, string, string, string, string];
      return ['Filename', 'Title', scanned, processed, analyzed, converted, downloaded, ocr, link];
    }
    case '_failed':
      return ['Barcode', 'Title', 'Convert Failed Date', 'Convert Failed Info', 'Detailed Convert Failed Info'];
    default:
      return ['', 'Barcode', 'Title', long ? 'State' : 'Status', ...dates, link];
  }
}

export function headingRow(list: ListName, variant: HeaderVariant): string {
  let html = '<tr class="heading">';
  for (const header of listingHeaders(list, variant)) {
    html += header === '' ? '<td></td>' : `<td><span class="hd3">${header}</span></td>`;
  }
  return `${html}</tr>\n`;
}

const d = (value: string | null): string => (value === null ? '<td></td>' : `<td>${value}</td>`);

function linkCell(book: ListingBook): string {
  return `<td><a href="${book.googleBooksLink}" target="_blank">Google Books</a></td>`;
}

/** One data row; hot path (string concatenation only). */
export function renderRow(list: ListName, book: ListingBook): string {
  const b = book.barcode;
  switch (list) {
    case '_converted':
      return (
        `<tr><td>${b}.tar.gz.gpg</td><td>${escapeHtml(book.title)}</td>` +
        d(book.scannedDate) + d(book.processedDate) + d(book.analyzedDate) + d(book.convertedDate) +
        d(book.downloadedDate) + d(book.ocrDate) + linkCell(book) + '</tr>\n'
      );
    case '_failed': {
      const f = book.conversionFailure;
      return (
        `<tr><td>${b}</td><td>${escapeHtml(book.title)}</td>` +
        `<td>${f?.date ?? ''}</td><td>${escapeHtml(f?.info ?? '')}</td><td>${escapeHtml(f?.detailedInfo ?? '')}</td></tr>\n`
      );
    }
    default:
      return (
        `<tr><td><input type="checkbox" name="barcodes" value="${b}"></td><td>${b}</td>` +
        `<td>${escapeHtml(book.title)}</td><td>${book.state}</td>` +
        d(book.scannedDate) + d(book.analyzedDate) + d(book.convertedDate) + d(book.downloadedDate) +
        d(book.processedDate) + d(book.ocrDate) + linkCell(book) + '</tr>\n'
      );
  }
}
