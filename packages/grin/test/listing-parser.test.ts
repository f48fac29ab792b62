import { describe, expect, it } from 'vitest';
import { ListingParser, normaliseHeaderKey, parseListingHtml, type ParsedListing } from '../src/index.js';
import { allBooksRow, headingRow, LONG_HEADINGS, page } from './helpers/pages.js';

const DECOY =
  '<table class="nav"><tr><td><b>Google Return Interface</b></td><td><a href="/libraries/X/_all_books">All</a></td></tr>' +
  '<tr><td>Barcode</td><td>Title</td></tr></table>';

const BOOK_A = {
  barcode: '32044010000001',
  titleHtml: 'Annalen der Physik &amp; Chemie',
  state: 'CONVERTED',
  dates: ['2024/01/15 14:30', '2024/01/16 09:05', '2024/02/01 00:00', '', '2024/01/20 10:10', '2024/01/21 11:11'] as [
    string, string, string, string, string, string,
  ],
  link: 'https://books.google.com/books?id=abc&amp;hl=en',
};

function feedInChunks(html: string, size: number): ParsedListing {
  const parser = new ListingParser();
  for (let i = 0; i < html.length; i += size) parser.write(html.slice(i, i + size));
  return parser.end();
}

describe('normaliseHeaderKey', () => {
  it('lower-cases, joins words with _, drops apostrophes', () => {
    expect(normaliseHeaderKey("OCR'd Date")).toBe('ocrd_date');
    expect(normaliseHeaderKey('Convert Failed Date')).toBe('convert_failed_date');
    expect(normaliseHeaderKey('  Opted-Out (post-scan) ')).toBe('opted_out_(post_scan)');
    expect(normaliseHeaderKey('Google  Books\nLink')).toBe('google_books_link');
  });
});

describe('ListingParser', () => {
  it('parses the long header variant with the heading row in thead after a decoy table', () => {
    const html = page(
      `${DECOY}<table class="results"><thead>${headingRow(LONG_HEADINGS)}</thead><tbody>${allBooksRow(BOOK_A)}</tbody></table>`,
    );
    const parsed = parseListingHtml(html);
    expect(parsed.tableFound).toBe(true);
    expect(parsed.unavailable).toBe(false);
    expect(parsed.rowsWithoutBarcode).toBe(0);
    expect(parsed.rows).toEqual([
      {
        barcode: '32044010000001',
        title: 'Annalen der Physik & Chemie',
        grinState: 'CONVERTED',
        scannedDate: '2024-01-15T14:30:00',
        analyzedDate: '2024-01-16T09:05:00',
        convertedDate: '2024-02-01T00:00:00',
        downloadedDate: null,
        processedDate: '2024-01-20T10:10:00',
        ocrDate: '2024-01-21T11:11:00',
        googleBooksLink: 'https://books.google.com/books?id=abc&hl=en',
        extra: {},
      },
    ]);
  });

  it('parses the short header variant with the heading row inside tbody and never makes it a book', () => {
    const headers = ['', 'Barcode', 'Title', 'Status', 'Scanned', 'Analyzed', 'Converted', 'Downloaded', 'Processed', "OCR'd", 'Google Books'];
    const html = page(`<table><tbody>${headingRow(headers)}${allBooksRow(BOOK_A)}</tbody></table>`);
    const { rows, rowsWithoutBarcode } = parseListingHtml(html);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.barcode).toBe('32044010000001');
    expect(rows[0]?.grinState).toBe('CONVERTED');
    expect(rows[0]?.ocrDate).toBe('2024-01-21T11:11:00');
    expect(rows[0]?.googleBooksLink).toBe('https://books.google.com/books?id=abc&hl=en');
    expect(rowsWithoutBarcode).toBe(0);
  });

  it('decodes named, numeric and apostrophe entities in headers and cells', () => {
    const headers = ['Barcode', 'Title', 'OCR&#39;d Date', 'Scanned Date'];
    const html = page(
      `<table>${headingRow(headers)}<tr><td>B1</td><td>&lt;Les Mis&eacute;rables&gt; &quot;tome&quot; &#233;t&#xE9; — Ærø, 東京</td><td>2020/03/04 05:06</td><td>2020/13/99</td></tr></table>`,
    );
    const [row] = parseListingHtml(html).rows;
    expect(row?.title).toBe('<Les Misérables> "tome" été — Ærø, 東京');
    expect(row?.ocrDate).toBe('2020-03-04T05:06:00');
    expect(row?.scannedDate).toBe('2020/13/99');
  });

  it('keeps unparseable dates unchanged and empty ones null', () => {
    const html = page(
      `<table>${headingRow(['Barcode', 'Scanned Date', 'Converted Date', 'Processed Date'])}` +
        '<tr><td>B1</td><td>sometime in 2020</td><td>  </td><td>2021/05/06</td></tr></table>',
    );
    const [row] = parseListingHtml(html).rows;
    expect(row?.scannedDate).toBe('sometime in 2020');
    expect(row?.convertedDate).toBeNull();
    expect(row?.processedDate).toBe('2021/05/06');
  });

  it('handles missing cells, short rows and rows without a barcode', () => {
    const html = page(
      `<table>${headingRow(LONG_HEADINGS)}` +
        '<tr><td><input type="checkbox" name="barcodes" value="B1"></td><td>B1</td><td>Short row</td></tr>' +
        '<tr><td colspan="11">Nothing here</td></tr>' +
        '<tr><td></td><td></td><td>No barcode anywhere</td><td>NEW</td></tr>' +
        '<tr><td><input type="checkbox" name="barcodes" value="B2"></td><td>B2</td><td></td><td>NOT_AVAILABLE_FOR_DOWNLOAD</td></tr>' +
        '</table>',
    );
    const parsed = parseListingHtml(html);
    expect(parsed.rows.map((r) => [r.barcode, r.title, r.grinState])).toEqual([
      ['B1', 'Short row', null],
      ['B2', '', 'NOT_AVAILABLE_FOR_DOWNLOAD'],
    ]);
    expect(parsed.rows[0]?.googleBooksLink).toBe('');
    expect(parsed.rowsWithoutBarcode).toBe(1);
  });

  it('takes the text of a linked title, not its URL', () => {
    const html = page(
      `<table>${headingRow(['Barcode', 'Title', 'Google Books Link'])}` +
        '<tr><td><a href="/libraries/X/B9.tar.gz.gpg">B9</a></td><td><a href="https://example.org/t?id=9">  A <b>linked</b> title </a></td>' +
        '<td><a href="https://books.google.com/books?id=9">Google Books</a></td></tr></table>',
    );
    const [row] = parseListingHtml(html).rows;
    expect(row?.barcode).toBe('B9');
    expect(row?.title).toBe('A linked title');
    expect(row?.googleBooksLink).toBe('https://books.google.com/books?id=9');
  });

  it('ignores a decoy table with similar headers but no heading row, and tables nested in cells', () => {
    const decoy = `<table><tr class="head"><td><span class="hd3">Barcode</span></td><td><span class="hd3">Title</span></td></tr><tr><td>DECOY1</td><td>Decoy</td></tr></table>`;
    const html = page(
      `${decoy}<table class="results">${headingRow(['Barcode', 'Title'])}` +
        '<tr><td>B1</td><td>Outer<table><tr class="heading"><td>x</td></tr><tr><td>INNER</td><td>y</td></tr></table></td></tr>' +
        '<tr><td>B2</td><td>Two</td></tr></table>' +
        `<table>${headingRow(['Barcode', 'Title'])}<tr><td>LATER</td><td>Later table</td></tr></table>`,
    );
    const parsed = parseListingHtml(html);
    expect(parsed.rows.map((r) => r.barcode)).toEqual(['B1', 'B2']);
  });

  it('takes the barcode from the checkbox when there is no Barcode column', () => {
    const html = page(
      `<table>${headingRow(['', 'Title', 'Status'])}` +
        '<tr><td><input type="checkbox" name="barcodes" value="CB123"></td><td>Checkbox book</td><td>NEW</td></tr></table>',
    );
    expect(parseListingHtml(html).rows.map((r) => [r.barcode, r.title, r.grinState])).toEqual([['CB123', 'Checkbox book', 'NEW']]);
  });

  it('takes the barcode from the Filename column of _converted, suffix stripped', () => {
    const headers = ['Filename', 'Title', 'Scanned', 'Processed', 'Analyzed', 'Converted', 'Downloaded', "OCR'd", 'Google Books'];
    const html = page(
      `<table>${headingRow(headers)}` +
        '<tr><td>HN1234.tar.gz.gpg</td><td>Converted one</td><td>2023/01/01 01:01</td><td></td><td></td><td>2023/02/02 02:02</td><td></td><td></td>' +
        '<td><a href="https://books.google.com/books?id=x">Google Books</a></td></tr>' +
        '<tr><td>not-an-archive.txt</td><td>Skipped</td></tr></table>',
    );
    const parsed = parseListingHtml(html);
    expect(parsed.rows.map((r) => [r.barcode, r.scannedDate, r.convertedDate])).toEqual([
      ['HN1234', '2023-01-01T01:01:00', '2023-02-02T02:02:00'],
    ]);
    expect(parsed.rows[0]?.extra).toEqual({});
    expect(parsed.rowsWithoutBarcode).toBe(1);
  });

  it('keeps the _failed columns in extra under normalised keys', () => {
    const html = page(
      `<table>${headingRow(['Barcode', 'Title', 'Convert Failed Date', 'Convert Failed Info', 'Detailed Convert Failed Info'])}` +
        '<tr><td>F1</td><td>Failed book</td><td>2024/05/06 07:08</td><td>Bad scan</td><td>Page 12 &amp; 13 unreadable</td></tr></table>',
    );
    const [row] = parseListingHtml(html).rows;
    expect(row?.barcode).toBe('F1');
    expect(row?.title).toBe('Failed book');
    expect(row?.extra).toEqual({
      convert_failed_date: '2024/05/06 07:08',
      convert_failed_info: 'Bad scan',
      detailed_convert_failed_info: 'Page 12 & 13 unreadable',
    });
  });

  it('finds the Next link among Prev/Next links (first= style), decoding &gt;', () => {
    const html = page(
      `<table>${headingRow(['Barcode', 'Title'])}<tr><td>B1</td><td>T</td></tr></table>` +
        '<a href="_all_books?result_count=2&amp;first=0">&lt; Prev</a> <a href="_all_books?result_count=2&amp;first=2">1</a>' +
        ' <a href="_all_books?result_count=2&amp;first=4">Next &gt;</a>',
    );
    expect(parseListingHtml(html).nextHref).toBe('_all_books?result_count=2&first=4');
  });

  it('finds an opaque ctoken Next link and ignores links without a cursor', () => {
    const html = page(
      '<a href="/libraries/X/help">Next steps</a>' +
        `<table>${headingRow(['Barcode', 'Title'])}<tr><td>B1</td><td>T</td></tr></table>` +
        '<a href="/libraries/X/_all_books?ctoken=AbC%3D%3D_-x">next page</a>',
    );
    expect(parseListingHtml(html).nextHref).toBe('/libraries/X/_all_books?ctoken=AbC%3D%3D_-x');
  });

  it('prefers a link saying "next" over a bare arrow, but accepts an arrow alone', () => {
    const table = `<table>${headingRow(['Barcode', 'Title'])}<tr><td>B1</td><td>T</td></tr></table>`;
    const both = page(`${table}<a href="?first=900">Last &raquo;</a> <a href="?first=10">Next</a>`);
    expect(parseListingHtml(both).nextHref).toBe('?first=10');
    const arrow = page(`${table}<a href="?first=0">&lt;</a> <a href="?ctoken=Zz">&gt;</a>`);
    expect(parseListingHtml(arrow).nextHref).toBe('?ctoken=Zz');
  });

  it('has no Next link on the last page (only Prev)', () => {
    const html = page(
      `<table>${headingRow(['Barcode', 'Title'])}<tr><td>B1</td><td>T</td></tr></table><a href="?first=0">&lt; Prev</a>`,
    );
    expect(parseListingHtml(html).nextHref).toBeNull();
  });

  it('flags the "Your request is unavailable" page, even when the text is split across chunks', () => {
    const html = page('<p>Your request is unavailable at this time.</p>');
    for (const size of [1, 3, 7, 64]) {
      const parsed = feedInChunks(html, size);
      expect(parsed.unavailable).toBe(true);
      expect(parsed.tableFound).toBe(false);
    }
    expect(parseListingHtml(page('<p>Your request is available</p>')).unavailable).toBe(false);
  });

  it('gives the same result whatever the chunking', () => {
    const rows = Array.from({ length: 30 }, (_, i) =>
      allBooksRow({ ...BOOK_A, barcode: `B${i}`, titleHtml: `T&eacute;tre ${i} &amp; co` }),
    ).join('\n');
    const html = page(`${DECOY}<table>${headingRow(LONG_HEADINGS)}${rows}</table><a href="?first=30">Next &gt;</a>`);
    const whole = parseListingHtml(html);
    expect(whole.rows).toHaveLength(30);
    for (const size of [1, 5, 17, 1000]) expect(feedInChunks(html, size)).toEqual(whole);
  });

  it('reports no table on a page without a heading row', () => {
    const parsed = parseListingHtml(page('<table><tr><td>a</td><td>b</td></tr></table>'));
    expect(parsed).toEqual({ rows: [], rowsWithoutBarcode: 0, nextHref: null, unavailable: false, tableFound: false, tableComplete: false });
  });

  it('tells a complete listing table from one cut short', () => {
    const whole = page(`<table>${headingRow(['Barcode', 'Title'])}<tr><td>B1</td><td>T</td></tr><tr><td>B2</td><td>U</td></tr></table>`);
    expect(parseListingHtml(whole).tableComplete).toBe(true);
    const cut = whole.slice(0, whole.indexOf('<tr><td>B2') + 12);
    const parsed = parseListingHtml(cut);
    expect(parsed.tableFound).toBe(true);
    expect(parsed.tableComplete).toBe(false);
  });

  it('accepts a heading row of th cells without hd3 spans and implied closing tags', () => {
    const html = page('<table><tr class="heading"><th>Barcode<th>Title<th>State</tr><tr><td>B1<td>Plain<td>NEW</table>');
    expect(parseListingHtml(html).rows.map((r) => [r.barcode, r.title, r.grinState])).toEqual([['B1', 'Plain', 'NEW']]);
  });
});
