import { htmlResponse, type SimResponse, streamResponse } from '../http/simResponse.js';
import type { Library, ListingBook } from '../library/library.js';
import type { ListName } from '../types.js';

const LINES_PER_CHUNK = 2000;

function lineFor(list: ListName, book: ListingBook): string {
  switch (list) {
    case '_converted':
      return `${book.barcode}.tar.gz.gpg\n`;
    case '_failed':
      return `${book.barcode}\t${book.conversionFailure?.date ?? ''}\t${book.conversionFailure?.info ?? ''}\n`;
    case '_in_process':
      return `${book.barcode}\n`;
    default:
      // The earliest prototype's layout: barcode, scanned, converted, downloaded, processed, analyzed, ?, OCR'd, link.
      return (
        `${book.barcode}\t${book.scannedDate ?? ''}\t${book.convertedDate ?? ''}\t${book.downloadedDate ?? ''}\t` +
        `${book.processedDate ?? ''}\t${book.analyzedDate ?? ''}\t\t${book.ocrDate ?? ''}\t${book.googleBooksLink}\n`
      );
  }
}

/** `?format=text` lists, streamed: `_in_process` barcodes, `_converted` file names, `_failed` TSV lines. */
export function textListResponse(list: ListName, query: URLSearchParams, library: Library): SimResponse {
  library.settle();
  const indices = library.listSnapshot(list);
  const total = indices === null ? library.size : indices.length;
  const limit = resultLimit(query, total);
  return streamResponse(200, 'text/plain; charset=utf-8', function* () {
    let chunk = '';
    for (let position = 0; position < limit; position++) {
      chunk += lineFor(list, library.listingBook(indices === null ? position : (indices[position] as number)));
      if ((position + 1) % LINES_PER_CHUNK === 0) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk !== '') yield chunk;
  });
}

/** Directory root: `?format=text&result_count=1` is the credential probe. */
export function probeResponse(query: URLSearchParams, library: Library, libraryDirectory: string): SimResponse {
  if (query.get('format') === 'text') {
    const limit = Math.min(resultLimit(query, library.size), 1000);
    let text = '';
    for (let i = 0; i < limit; i++) text += `${library.listingBook(i).barcode}\n`;
    return streamResponse(200, 'text/plain; charset=utf-8', () => [text]);
  }
  const dir = encodeURIComponent(libraryDirectory);
  return htmlResponse(
    200,
    `<!DOCTYPE html><html><head><title>GRIN: ${dir}</title></head><body><h2>${dir}</h2><ul>` +
      ['_all_books', '_converted', '_in_process', '_failed'].map((l) => `<li><a href="/libraries/${dir}/${l}">${l}</a></li>`).join('') +
      '</ul></body></html>\n',
  );
}

function resultLimit(query: URLSearchParams, total: number): number {
  const n = Number(query.get('result_count') ?? -1);
  return Number.isInteger(n) && n >= 0 ? Math.min(n, total) : total;
}
