import { Parser } from 'htmlparser2';

export interface Cell {
  text: string;
  href?: string;
  checkbox?: string;
  /** Text inside span.hd3 (heading cells). */
  hd3?: string;
}

export interface Row {
  heading: boolean;
  cells: Cell[];
}

export interface ParsedPage {
  /** Rows of every table, in document order of the tables. */
  tables: Row[][];
  /** Index in `tables` of the first table that contains tr.heading, or -1. */
  listingTable: number;
  headers: string[];
  /** Data rows of the listing table (heading row excluded). */
  rows: Row[];
  links: { href: string; text: string; raw: string }[];
  text: string;
}

/**
 * Streaming parse (htmlparser2 callbacks, no DOM), the way a client would read a GRIN page:
 * tables, heading row, cells with text/href/checkbox value, and every link.
 */
export function parseListingPage(chunks: Iterable<string>): ParsedPage {
  const tables: Row[][] = [];
  const stack: Row[][] = [];
  let row: Row | undefined;
  let cell: Cell | undefined;
  let inHd3 = 0;
  let link: { href: string; text: string } | undefined;
  const links: ParsedPage['links'] = [];
  let text = '';
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if (name === 'table') {
          const rows: Row[] = [];
          tables.push(rows);
          stack.push(rows);
        } else if (name === 'tr' && stack.length > 0) {
          row = { heading: (attrs['class'] ?? '').split(/\s+/).includes('heading'), cells: [] };
          stack[stack.length - 1]?.push(row);
        } else if (name === 'td' && row) {
          cell = { text: '' };
          row.cells.push(cell);
        } else if (name === 'span' && (attrs['class'] ?? '').split(/\s+/).includes('hd3')) {
          inHd3++;
          if (cell) cell.hd3 = '';
        } else if (name === 'a' && attrs['href'] !== undefined) {
          link = { href: attrs['href'], text: '' };
          if (cell) cell.href = attrs['href'];
        } else if (name === 'input' && attrs['type'] === 'checkbox' && cell) {
          cell.checkbox = attrs['value'] ?? '';
        }
      },
      ontext(data) {
        text += data;
        if (cell) {
          cell.text += data;
          if (inHd3 > 0) cell.hd3 = (cell.hd3 ?? '') + data;
        }
        if (link) link.text += data;
      },
      onclosetag(name) {
        if (name === 'table') stack.pop();
        else if (name === 'tr') row = undefined;
        else if (name === 'td') cell = undefined;
        else if (name === 'span' && inHd3 > 0) inHd3--;
        else if (name === 'a' && link) {
          links.push({ ...link, raw: link.text });
          link = undefined;
        }
      },
    },
    { decodeEntities: true },
  );
  for (const chunk of chunks) parser.write(chunk);
  parser.end();
  const listingTable = tables.findIndex((rows) => rows.some((r) => r.heading));
  const rows = listingTable < 0 ? [] : (tables[listingTable] as Row[]);
  const heading = rows.find((r) => r.heading);
  return {
    tables,
    listingTable,
    headers: heading ? heading.cells.map((c) => (c.hd3 ?? '').trim()) : [],
    rows: rows.filter((r) => !r.heading),
    links,
    text,
  };
}

/** Reference 1.3 rule: first link with first=/ctoken= whose text has "next" or ">". */
export function findNextHref(page: ParsedPage): string | undefined {
  return page.links.find((l) => /first=|ctoken=/.test(l.href) && (l.text.toLowerCase().includes('next') || l.text.includes('>')))?.href;
}

/** Header normalisation of reference 1.4. */
export function normaliseHeader(header: string): string {
  return header.toLowerCase().replace(/[ -]/g, '_').replace(/'/g, '');
}
