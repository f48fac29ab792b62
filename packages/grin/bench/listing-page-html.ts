/** Generates a GRIN-like `_all_books` page (reference 1.4 layout) for benchmarks. */

const WORDS = ['Annalen', 'der', 'Physik', 'histoire', 'naturelle', 'The', 'collected', 'works', 'of', 'Goethe',
  'Über', 'die', 'Fortschritte', 'Été', 'Æsthetik', '東京', 'Mémoires', '"Quoted"', 'A & B', '<rare>', 'Journal', 'Proceedings'];

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));
}

function date(i: number, k: number): string {
  if ((i + k) % 7 === 0) return '';
  const d = new Date(Date.UTC(2008, 0, 1) + ((i * 7919 + k * 104729) % 5000) * 86_400_000 + ((i * 31 + k) % 1440) * 60_000);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
}

const STATES = ['CONVERTED', 'CHECKED_IN', 'NEW', 'PREVIOUSLY_DOWNLOADED', 'NOT_AVAILABLE_FOR_DOWNLOAD', 'IN_PROCESS'];

export function barcodeAt(i: number): string {
  return `3204401${String(i).padStart(7, '0')}`;
}

export function listingPageHtml(rows: number, offset = 0, nextHref: string | null = null): string {
  const headers = ['', 'Barcode', 'Title', 'State', 'Scanned Date', 'Analyzed Date', 'Converted Date', 'Downloaded Date', 'Processed Date', 'OCR&#39;d Date', 'Google Books Link'];
  const parts: string[] = [
    '<!DOCTYPE html><html><head><title>GRIN</title></head><body>',
    '<table class="nav"><tr><td><b>Google Return Interface</b></td><td><a href="/libraries/X/_all_books">All</a></td></tr></table>',
    '<table class="results" cellspacing="0"><tr class="heading">',
    ...headers.map((h) => (h === '' ? '<td></td>' : `<td><span class="hd3">${h}</span></td>`)),
    '</tr>\n',
  ];
  for (let r = 0; r < rows; r += 1) {
    const i = offset + r;
    const b = barcodeAt(i);
    const state = STATES[i % STATES.length] as string;
    const title = state === 'NOT_AVAILABLE_FOR_DOWNLOAD' ? '' : Array.from({ length: 3 + (i % 9) }, (_, k) => WORDS[(i * 13 + k * 7) % WORDS.length]).join(' ');
    let row = `<tr><td><input type="checkbox" name="barcodes" value="${b}"></td><td>${b}</td><td>${escapeHtml(title)}</td><td>${state}</td>`;
    for (let k = 0; k < 6; k += 1) row += `<td>${date(i, k)}</td>`;
    row += `<td><a href="https://books.google.com/books?id=${b}x" target="_blank">Google Books</a></td></tr>\n`;
    parts.push(row);
  }
  parts.push('</table><div class="pager">');
  if (offset > 0) parts.push(`<a href="?result_count=${rows}&amp;first=${Math.max(0, offset - rows)}">&lt; Prev</a> `);
  if (nextHref !== null) parts.push(`<a href="${nextHref}">Next &gt;</a>`);
  parts.push('</div></body></html>\n');
  return parts.join('');
}
