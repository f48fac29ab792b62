/** Hand-written GRIN listing page pieces for parser tests. */

export const LONG_HEADINGS = ['', 'Barcode', 'Title', 'State', 'Scanned Date', 'Analyzed Date', 'Converted Date', 'Downloaded Date', 'Processed Date', "OCR'd Date", 'Google Books Link'];

export function headingRow(headers: string[]): string {
  return `<tr class="heading">${headers.map((h) => (h === '' ? '<td></td>' : `<td><span class="hd3">${h}</span></td>`)).join('')}</tr>`;
}

export interface BookCells {
  barcode: string;
  titleHtml: string;
  state: string;
  dates: [string, string, string, string, string, string];
  link: string;
}

export function allBooksRow(b: BookCells): string {
  return (
    `<tr><td><input type="checkbox" name="barcodes" value="${b.barcode}"></td><td>${b.barcode}</td><td>${b.titleHtml}</td><td>${b.state}</td>` +
    b.dates.map((d) => `<td>${d}</td>`).join('') +
    `<td><a href="${b.link}">Google Books</a></td></tr>`
  );
}

export function page(body: string): string {
  return `<!DOCTYPE html><html><head><title>GRIN</title></head><body>${body}</body></html>`;
}
