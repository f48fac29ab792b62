import { describe, expect, it } from 'vitest';
import { ListingParser, parseListingHtml, unpackListingRows, type ListingRow, type ParsedListing } from '../src/index.js';
import { listingPageHtml } from '../bench/listing-page-html.js';
import { oracleParseListingHtml } from './helpers/parser-oracle.js';

// The Tokenizer-based ListingParser against the first one (htmlparser2's Parser, element stack,
// implied closes), on seeded random pages mixing every feature the parser must get right.

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const TITLES = ['Annalen der Physik &amp; Chemie', '&lt;Les Mis&eacute;rables&gt; &quot;tome&quot;', 'Été &#233;t&#xE9; 東京', "O'Brien's &#39;Notes&#39;", 'Plain title', ''];
const STATES = ['CONVERTED', 'CHECKED_IN', 'NEW', 'NOT_AVAILABLE_FOR_DOWNLOAD', ''];
const DATES = ['2024/01/15 14:30', '', ' 2023/02/28 00:00 ', '2023/02/29 10:00', 'n/a', '2020/13/01 10:00'];

function randomPage(seed: number): string {
  const r = rng(seed);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const maybe = (p: number): boolean => r() < p;
  const tag = (name: string): string => (maybe(0.15) ? name.toUpperCase() : name);
  const q = (v: string): string => (maybe(0.2) ? `'${v}'` : `"${v}"`);
  const long = maybe(0.5);
  const headers = ['', 'Barcode', 'Title', long ? 'State' : 'Status', long ? 'Scanned Date' : 'Scanned', 'Analyzed', 'Converted', 'Downloaded', 'Processed', long ? 'OCR&#39;d Date' : "OCR'd", long ? 'Google Books Link' : 'Google Books'];
  if (maybe(0.2)) headers.push('Convert Failed Info');
  const cell = maybe(0.2) ? 'th' : 'td';
  let html = '<!DOCTYPE html><html><head><title>GRIN</title><style>.hd3{font-weight:bold}</style></head><body>';
  if (maybe(0.7)) html += `<table class=${q('nav')}><tr><td><a href="/libraries/X/_all_books">All</a></td><td>Barcode</td></tr></table>`;
  if (maybe(0.3)) html += '<!-- a comment with <tr class="heading"> inside --><script>var s = "<table>";</script>';
  html += `<${tag('table')} class=${q('results')}>`;
  const thead = maybe(0.4);
  if (thead) html += '<thead>';
  html += `<${tag('tr')} ${maybe(0.2) ? 'CLASS' : 'class'}=${q(maybe(0.2) ? 'row heading' : 'heading')}>`;
  for (const h of headers) html += h === '' ? `<${cell}></${cell}>` : maybe(0.8) ? `<${cell}><span class=${q('hd3')}>${h}</span></${cell}>` : `<${cell}>${h}</${cell}>`;
  html += '</tr>\n';
  if (thead) html += '</thead><tbody>';
  const rows = 5 + Math.floor(r() * 40);
  for (let i = 0; i < rows; i += 1) {
    const barcode = `3204401${String(seed % 1000).padStart(3, '0')}${String(i).padStart(4, '0')}`;
    const td = (content: string): string => (maybe(0.1) ? `<${tag('td')}>${content}` : `<${tag('td')}>${content}</td>`);
    let row = `<${tag('tr')}${maybe(0.1) ? ' class="odd"' : ''}>`;
    if (maybe(0.05)) {
      row += `<td colspan="11">Nothing here</td></tr>\n`;
      html += row;
      continue;
    }
    row += td(maybe(0.9) ? `<${tag('input')} type=${q(maybe(0.1) ? 'CHECKBOX' : 'checkbox')} name="barcodes" value=${q(barcode)}${maybe(0.1) ? '/' : ''}>` : '');
    row += td(maybe(0.9) ? barcode : '');
    const title = pick(TITLES);
    row += td(maybe(0.15) ? `<a href="https://example.org/t?id=${i}&amp;x=1">${title} <b>linked</b></a>` : title);
    row += td(pick(STATES));
    for (let d = 0; d < 6; d += 1) row += td(pick(DATES));
    row += td(maybe(0.9) ? `<a href=${q(`https://books.google.com/books?id=${barcode}&amp;hl=en`)} target=_blank>Google Books</a>` : '');
    if (headers.length > 11) row += td(maybe(0.5) ? 'Bad scan &amp; more' : '');
    if (maybe(0.05)) row += '<td><table><tr class="heading"><td>inner</td></tr><tr><td>INNER</td><td>x</td></tr></table></td>';
    html += `${row}${maybe(0.1) ? '' : '</tr>'}\n`;
  }
  if (thead) html += '</tbody>';
  if (!maybe(0.05)) html += '</table>';
  html += '<div class="pager">';
  if (maybe(0.5)) html += `<a href="_all_books?result_count=${rows}&amp;first=0">&lt; Prev</a> `;
  const next = pick([
    `<a href="_all_books?result_count=${rows}&amp;first=${rows}">Next &gt;</a>`,
    `<a href="/libraries/X/_all_books?ctoken=Ab${seed}_-x">next page</a>`,
    `<a href="?first=${rows}">&gt;</a>`,
    `<a href="?first=${rows}"><img src="n.png" alt="Next"></a>`,
    `<A HREF="?ctoken=Zz${seed}">&raquo;</A>`,
    // A pager in a table, its links left open: each ends with its cell.
    `<table><tr><td><a href="?first=0">&lt; Prev</td><td>next to nothing</td><td><a href="?first=${rows}">Next</td></tr></table>`,
    '',
  ]);
  html += `${next}</div>`;
  if (maybe(0.1)) html += '<p>Your request is unavailable at this time.</p>';
  return `${html}</body></html>`;
}

function feed(html: string, size: number, pack: boolean): ParsedListing {
  const parser = new ListingParser(pack ? { packBatchRows: 7 } : {});
  for (let i = 0; i < html.length; i += size) parser.write(html.slice(i, i + size));
  const parsed = parser.end();
  if (!pack) return parsed;
  const rows: ListingRow[] = parser.takePacked().flatMap((p) => unpackListingRows(p));
  return { ...parsed, rows };
}

describe('ListingParser against the Parser-based oracle', () => {
  it('agrees on 300 random pages (case, quoting, implied closes, entities, decoys, both Next styles)', () => {
    for (let seed = 1; seed <= 300; seed += 1) {
      const html = randomPage(seed);
      const expected = oracleParseListingHtml(html);
      expect(parseListingHtml(html), `seed ${seed}`).toEqual(expected);
    }
  });

  it('agrees whatever the chunking, with rows as objects or packed', () => {
    for (let seed = 301; seed <= 340; seed += 1) {
      const html = randomPage(seed);
      const expected = oracleParseListingHtml(html);
      for (const size of [1, 3, 17, 256, 4096]) {
        expect(feed(html, size, false), `seed ${seed} size ${size}`).toEqual(expected);
        expect(feed(html, size, true), `seed ${seed} size ${size} packed`).toEqual(expected);
      }
    }
  });

  it('agrees on a full 10,000-row page', () => {
    const html = listingPageHtml(10_000, 0, '?result_count=10000&amp;first=10000');
    const expected = oracleParseListingHtml(html);
    expect(expected.rows).toHaveLength(10_000);
    expect(parseListingHtml(html)).toEqual(expected);
    expect(feed(html, 65_536, true)).toEqual(expected);
  });
});
