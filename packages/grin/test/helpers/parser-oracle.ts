// The first @grin/client listing parser, on htmlparser2's Parser (a DOM-less element stack with
// implied closes): kept as the oracle for the Tokenizer-based ListingParser (differential tests).
import { Parser } from 'htmlparser2';
import type { ListingRow } from '../../src/types.js';
import { headingColumns, type ListingColumn } from '../../src/listing/row-builder.js';
import { grinDateToIso } from '../../src/listing/grin-date.js';

/** What one HTML listing page yields before the Next href is resolved against the page URL. */
interface ParsedListing {
  rows: ListingRow[];
  rowsWithoutBarcode: number;
  /** Raw href of the Next link, or null. */
  nextHref: string | null;
  /** The page contains GRIN's "Your request is unavailable". */
  unavailable: boolean;
  /** A table with a `tr.heading` row was found. */
  tableFound: boolean;
  /**
   * The listing table was closed by an explicit `</table>`. False for a found table means the
   * page was cut short (e.g. a wrong Content-Length): its last rows and Next link are missing.
   */
  tableComplete: boolean;
}

const UNAVAILABLE_TEXT = 'Your request is unavailable';
const HEADING_CLASS = /(?:^|\s)heading(?:\s|$)/;
const HD3_CLASS = /(?:^|\s)hd3(?:\s|$)/;
const NEXT_WORD = /next/;
const NEXT_ARROW = />|\u00bb|\u203a/;

/**
 * Streaming parser of a GRIN listing page (reference 1.3-1.5). Feed decoded text with
 * {@link write} as it arrives, then call {@link end}. Keeps only the current row in memory
 * besides the finished rows, so a 10,000-row page never becomes a DOM.
 *
 * The listing table is the first table containing a `tr` with class `heading`; its header names
 * come from `span.hd3` (or the cell text when a heading cell has no such span). Heading rows are
 * never data rows; rows with fewer than two cells are ignored.
 */
export class OracleListingParser {
  private readonly parser: Parser;
  private rows: ListingRow[] = [];
  private rowsWithoutBarcode = 0;
  private unavailable = false;
  private tail = '';

  private tableDepth = 0;
  /** Depth of the listing table while it is open; -1 otherwise. */
  private listingDepth = -1;
  private listingDone = false;
  private tableFound = false;
  private tableComplete = false;
  private columns: ListingColumn[] | null = null;

  private inRow = false;
  private rowIsHeading = false;
  private cellTexts: string[] = [];
  private cellHrefs: (string | null)[] = [];
  private cellHd3: (string | null)[] = [];
  private checkboxValue: string | null = null;

  private inCell = false;
  private cellText = '';
  private cellHref: string | null = null;
  private hd3Text: string | null = null;
  private spanDepth = 0;
  /** spanDepth at which the open span.hd3 started; -1 when not inside one. */
  private hd3SpanDepth = -1;

  private anchorHref: string | null = null;
  private anchorText = '';
  /** First cursor link whose text says "next". */
  private nextHref: string | null = null;
  /** First cursor link whose text is only an arrow (`>`, `»`, `›`): used when no "next" link exists. */
  private arrowHref: string | null = null;

  constructor() {
    this.parser = new Parser(
      {
        onopentag: (name, attribs) => this.onOpenTag(name, attribs),
        onclosetag: (name, isImplied) => this.onCloseTag(name, isImplied),
        ontext: (text) => this.onText(text),
      },
      { decodeEntities: true },
    );
  }

  /** Feeds the next piece of the decoded page. */
  write(chunk: string): void {
    if (!this.unavailable) {
      if (chunk.includes(UNAVAILABLE_TEXT)) this.unavailable = true;
      else if (this.tail !== '' && (this.tail + chunk.slice(0, UNAVAILABLE_TEXT.length)).includes(UNAVAILABLE_TEXT)) {
        this.unavailable = true;
      }
      this.tail = (chunk.length >= UNAVAILABLE_TEXT.length ? chunk : this.tail + chunk).slice(1 - UNAVAILABLE_TEXT.length);
    }
    this.parser.write(chunk);
  }

  /** Number of finished rows not yet taken by {@link takeRows}. */
  get pendingRows(): number {
    return this.rows.length;
  }

  /** Hands out the rows finished so far (they are not repeated by {@link end}). */
  takeRows(): ListingRow[] {
    const rows = this.rows;
    this.rows = [];
    return rows;
  }

  /** Finishes parsing and returns the page's content (rows not yet taken). */
  end(): ParsedListing {
    this.parser.end();
    return {
      rows: this.rows,
      rowsWithoutBarcode: this.rowsWithoutBarcode,
      nextHref: this.nextHref ?? this.arrowHref,
      unavailable: this.unavailable,
      tableFound: this.tableFound,
      tableComplete: this.tableComplete,
    };
  }

  private onOpenTag(name: string, attribs: Record<string, string>): void {
    switch (name) {
      case 'table':
        this.tableDepth += 1;
        return;
      case 'tr':
        this.openRow(attribs);
        return;
      case 'td':
      case 'th':
        if (this.inRow && this.tableDepth === this.listingDepth) this.openCell();
        return;
      case 'a': {
        const href = attribs['href'];
        if (href === undefined) return;
        if (this.inCell && this.cellHref === null) this.cellHref = href;
        if (this.nextHref === null && (href.includes('first=') || href.includes('ctoken='))) {
          this.anchorHref = href;
          this.anchorText = '';
        }
        return;
      }
      case 'span':
        if (this.inCell) {
          this.spanDepth += 1;
          const cls = attribs['class'];
          if (this.hd3SpanDepth < 0 && this.hd3Text === null && cls !== undefined && HD3_CLASS.test(cls)) {
            this.hd3SpanDepth = this.spanDepth;
            this.hd3Text = '';
          }
        }
        return;
      case 'input':
        if (this.inCell && this.checkboxValue === null && (attribs['type'] ?? '').toLowerCase() === 'checkbox') {
          const value = attribs['value'];
          if (value !== undefined && value.trim() !== '') this.checkboxValue = value.trim();
        }
        return;
      case 'img':
        if (this.anchorHref !== null) this.anchorText += attribs['alt'] ?? '';
        return;
      default:
    }
  }

  private onCloseTag(name: string, isImplied: boolean): void {
    switch (name) {
      case 'table':
        if (this.tableDepth === this.listingDepth) {
          if (this.inRow) this.closeRow();
          this.listingDepth = -1;
          this.listingDone = true;
          this.tableComplete = !isImplied;
        }
        this.tableDepth -= 1;
        return;
      case 'tr':
        if (this.inRow && this.tableDepth === this.listingDepth) this.closeRow();
        return;
      case 'td':
      case 'th':
        if (this.inCell && this.tableDepth === this.listingDepth) this.closeCell();
        return;
      case 'a':
        if (this.anchorHref !== null) {
          const text = this.anchorText.toLowerCase();
          if (NEXT_WORD.test(text)) this.nextHref = this.anchorHref;
          else if (this.arrowHref === null && NEXT_ARROW.test(text)) this.arrowHref = this.anchorHref;
          this.anchorHref = null;
        }
        return;
      case 'span':
        if (this.inCell) {
          if (this.spanDepth === this.hd3SpanDepth) this.hd3SpanDepth = -1;
          this.spanDepth -= 1;
        }
        return;
      default:
    }
  }

  private onText(text: string): void {
    if (this.inCell) {
      this.cellText += text;
      if (this.hd3SpanDepth >= 0) this.hd3Text += text;
    }
    if (this.anchorHref !== null) this.anchorText += text;
  }

  private openRow(attribs: Record<string, string>): void {
    if (this.listingDone) return;
    const cls = attribs['class'];
    const heading = cls !== undefined && HEADING_CLASS.test(cls);
    if (this.listingDepth < 0) {
      if (!heading || this.tableDepth === 0) return;
      // The first table holding a heading row is the listing table.
      this.listingDepth = this.tableDepth;
      this.tableFound = true;
    } else if (this.tableDepth !== this.listingDepth) {
      return;
    }
    if (this.inRow) this.closeRow();
    this.inRow = true;
    this.rowIsHeading = heading;
    this.cellTexts = [];
    this.cellHrefs = [];
    this.cellHd3 = [];
    this.checkboxValue = null;
  }

  private openCell(): void {
    if (this.inCell) this.closeCell();
    this.inCell = true;
    this.cellText = '';
    this.cellHref = null;
    this.hd3Text = null;
    this.spanDepth = 0;
    this.hd3SpanDepth = -1;
  }

  private closeCell(): void {
    this.cellTexts.push(this.cellText);
    this.cellHrefs.push(this.cellHref);
    this.cellHd3.push(this.hd3Text);
    this.inCell = false;
  }

  private closeRow(): void {
    if (this.inCell) this.closeCell();
    this.inRow = false;
    if (this.rowIsHeading) {
      if (this.columns === null) this.columns = this.headingColumns();
      return;
    }
    if (this.cellTexts.length < 2 || this.columns === null) return;
    const row = this.buildRow(this.columns);
    if (row === null) this.rowsWithoutBarcode += 1;
    else this.rows.push(row);
  }

  private headingColumns(): ListingColumn[] {
    return headingColumns(this.cellTexts, this.cellHd3);
  }

  private buildRow(columns: ListingColumn[]): ListingRow | null {
    return buildListingRow(columns, this.cellTexts, this.cellHrefs, this.checkboxValue);
  }
}

/** Parses a whole page held in one string (tests, fixtures). */
export function oracleParseListingHtml(html: string): ParsedListing {
  const parser = new OracleListingParser();
  parser.write(html);
  return parser.end();
}

const ARCHIVE_SUFFIX = '.tar.gz.gpg';

/** The first row mapping (reference 1.5), from the arrays of a finished row. */
function buildListingRow(
  columns: readonly ListingColumn[],
  cellTexts: readonly string[],
  cellHrefs: readonly (string | null)[],
  checkboxValue: string | null,
): ListingRow | null {
  let barcode = '';
  let filenameBarcode = '';
  const row: ListingRow = {
    barcode: '',
    title: '',
    grinState: null,
    scannedDate: null,
    analyzedDate: null,
    convertedDate: null,
    downloadedDate: null,
    processedDate: null,
    ocrDate: null,
    googleBooksLink: '',
    extra: {},
  };
  const n = Math.min(columns.length, cellTexts.length);
  for (let i = 0; i < n; i += 1) {
    const column = columns[i] as ListingColumn;
    if (column.role === 'skip') continue;
    const text = (cellTexts[i] as string).trim();
    const value = column.link ? (cellHrefs[i] ?? text) : text;
    if (value === '') continue;
    switch (column.role) {
      case 'barcode':
        if (barcode === '') barcode = text;
        break;
      case 'filename':
        if (filenameBarcode === '' && text.endsWith(ARCHIVE_SUFFIX)) filenameBarcode = text.slice(0, -ARCHIVE_SUFFIX.length).trim();
        break;
      case 'title':
        if (row.title === '') row.title = value;
        break;
      case 'googleBooksLink':
        if (row.googleBooksLink === '' && value.includes('http')) row.googleBooksLink = value;
        break;
      case 'grinState':
        row.grinState ??= value;
        break;
      case 'extra':
        if (!(column.key in row.extra)) row.extra[column.key] = value;
        break;
      default:
        row[column.role] ??= grinDateToIso(value);
    }
  }
  row.barcode = barcode !== '' ? barcode : filenameBarcode !== '' ? filenameBarcode : (checkboxValue ?? '');
  return row.barcode === '' ? null : row;
}
