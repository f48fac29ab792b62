import type { QuoteType, TokenizerCallbacks } from 'htmlparser2';
import type { ListingRow } from '../types.js';
import { ChunkText } from './chunk-text.js';
import { CursorLinks } from './cursor-links.js';
import {
  TAG_A,
  TAG_CELL,
  TAG_IMG,
  TAG_INPUT,
  TAG_OTHER,
  TAG_SPAN,
  TAG_TABLE,
  TAG_TR,
  tagAt,
} from './html-names.js';
import type { RowPacker } from './packed-rows.js';
import { headingColumns, RowAccumulator, type ListingColumn } from './row-builder.js';
import { TagAttributes } from './tag-attributes.js';

const HEADING_CLASS = /(?:^|\s)heading(?:\s|$)/;
const HD3_CLASS = /(?:^|\s)hd3(?:\s|$)/;

/**
 * The listing page state machine, driven by htmlparser2's Tokenizer (not its Parser: no element
 * stack, no attribute objects, no lower-cased name strings). Implied closes are handled here the
 * way the HTML rules (and htmlparser2's Parser) apply them to tables: a new `tr` closes the open
 * row, a new cell the open cell, `</tr>` the open cell, `</table>` (or the end of input) the open
 * row; an `a` opening closes an open link. Only the listing table's cells and cursor links (see
 * {@link CursorLinks}) have their text or attributes read.
 */
export class ListingTokens implements TokenizerCallbacks {
  readonly text = new ChunkText();
  rows: ListingRow[] = [];
  /** When set, rows go to the packer instead of {@link rows}. */
  packer: RowPacker | null = null;
  rowsWithoutBarcode = 0;
  tableFound = false;
  tableComplete = false;
  /** The pagination links found on the page. */
  readonly links = new CursorLinks();

  private tableDepth = 0;
  /** Depth of the listing table while it is open; -1 otherwise. */
  private listingDepth = -1;
  private listingDone = false;
  private columns: ListingColumn[] | null = null;

  // The open tag being read: which one, and the attributes the parser wants from it.
  private tag = TAG_OTHER;
  private readonly attrs = new TagAttributes();

  private inRow = false;
  private rowIsHeading = false;
  private rowCells = 0;
  private readonly row = new RowAccumulator();
  private headingTexts: string[] = [];
  private headingHd3: (string | null)[] = [];
  private checkboxValue: string | null = null;

  private inCell = false;
  /** The cell's column needs its text (heading cells, mapped data columns). */
  private cellWanted = false;
  private cellColumn: ListingColumn | null = null;
  private cellText = '';
  private cellHref: string | null = null;
  private hd3Text: string | null = null;
  private spanDepth = 0;
  /** spanDepth at which the open span.hd3 started; -1 when not inside one. */
  private hd3SpanDepth = -1;

  // --- tokenizer callbacks --------------------------------------------------------------------

  ontext(start: number, end: number): void {
    this.text.release(start);
    if (this.inCell && this.cellWanted) this.addText(this.text.slice(start, end));
    else if (this.links.open) this.links.addText(this.text.slice(start, end));
  }

  ontextentity(codePoint: number): void {
    if ((this.inCell && this.cellWanted) || this.links.open) this.addText(String.fromCodePoint(codePoint));
  }

  onopentagname(start: number, end: number): void {
    this.text.release(start);
    const tag = tagAt(this.text, start, end);
    this.tag = tag;
    // Attributes are read from rows (class), links, and the checkbox/spans/images that matter.
    this.attrs.start(
      tag === TAG_TR || tag === TAG_A || (tag === TAG_SPAN && this.inCell && this.rowIsHeading) ||
        (tag === TAG_INPUT && this.inCell && this.checkboxValue === null) || (tag === TAG_IMG && this.links.open),
    );
  }

  onattribname(start: number, end: number): void {
    this.attrs.name(this.text, start, end);
  }

  onattribdata(start: number, end: number): void {
    this.attrs.data(this.text, start, end);
  }

  onattribentity(codePoint: number): void {
    this.attrs.entity(codePoint);
  }

  onattribend(_quote: QuoteType, _end: number): void {
    this.attrs.end();
  }

  onopentagend(): void {
    this.openTag();
  }

  onselfclosingtag(): void {
    // HTML ignores the slash of `<td/>` and the like: the element is open.
    this.openTag();
  }

  onclosetag(start: number, end: number): void {
    this.text.release(start);
    switch (tagAt(this.text, start, end)) {
      // A link left open inside a cell, row or table ends with it (HTML's implied close).
      case TAG_TABLE:
        this.links.close();
        if (this.tableDepth === 0) return;
        if (this.tableDepth === this.listingDepth) this.closeListing(true);
        this.tableDepth -= 1;
        return;
      case TAG_TR:
        this.links.close();
        if (this.inRow && this.tableDepth === this.listingDepth) this.closeRow();
        return;
      case TAG_CELL:
        this.links.close();
        if (this.inCell && this.tableDepth === this.listingDepth) this.closeCell();
        return;
      case TAG_A:
        this.links.close();
        return;
      case TAG_SPAN:
        if (this.inCell && this.spanDepth > 0) {
          if (this.spanDepth === this.hd3SpanDepth) this.hd3SpanDepth = -1;
          this.spanDepth -= 1;
        }
        return;
      default:
    }
  }

  onend(): void {
    if (this.listingDepth >= 0) this.closeListing(false);
    this.links.close();
  }

  oncdata(): void {}
  oncomment(): void {}
  ondeclaration(): void {}
  onprocessinginstruction(): void {}

  // --- structure ------------------------------------------------------------------------------

  private openTag(): void {
    switch (this.tag) {
      case TAG_TABLE:
        this.tableDepth += 1;
        return;
      case TAG_TR:
        this.openRow();
        return;
      case TAG_CELL:
        if (this.inRow && this.tableDepth === this.listingDepth) this.openCell();
        return;
      case TAG_A: {
        const href = this.attrs.href;
        this.links.openLink(href);
        if (href !== null && this.inCell && this.cellHref === null) this.cellHref = href;
        return;
      }
      case TAG_SPAN:
        if (this.inCell) {
          this.spanDepth += 1;
          const cls = this.attrs.wanted ? this.attrs.cls : null;
          if (this.hd3SpanDepth < 0 && this.hd3Text === null && cls !== null && HD3_CLASS.test(cls)) {
            this.hd3SpanDepth = this.spanDepth;
            this.hd3Text = '';
          }
        }
        return;
      case TAG_INPUT:
        if (this.attrs.wanted && (this.attrs.type ?? '').toLowerCase() === 'checkbox') {
          const value = this.attrs.value;
          if (value !== null && value.trim() !== '') this.checkboxValue = value.trim();
        }
        return;
      case TAG_IMG:
        if (this.attrs.wanted) this.links.addText(this.attrs.alt ?? '');
        return;
      default:
    }
  }

  private addText(text: string): void {
    if (this.inCell && this.cellWanted) {
      this.cellText = this.cellText === '' ? text : this.cellText + text;
      if (this.hd3SpanDepth >= 0) this.hd3Text += text;
    }
    this.links.addText(text);
  }

  private closeListing(explicit: boolean): void {
    if (this.inRow) this.closeRow();
    this.listingDepth = -1;
    this.listingDone = true;
    this.tableComplete = explicit;
  }

  private openRow(): void {
    if (this.listingDone) return;
    const cls = this.attrs.cls;
    const heading = cls !== null && HEADING_CLASS.test(cls);
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
    this.rowCells = 0;
    this.checkboxValue = null;
    if (heading) {
      this.headingTexts = [];
      this.headingHd3 = [];
    } else {
      this.row.reset();
    }
  }

  private openCell(): void {
    if (this.inCell) this.closeCell();
    this.inCell = true;
    if (this.rowIsHeading || this.columns === null) {
      this.cellColumn = null;
      this.cellWanted = true;
    } else {
      const column = this.columns[this.rowCells];
      this.cellColumn = column ?? null;
      this.cellWanted = column !== undefined && column.role !== 'skip';
    }
    this.rowCells += 1;
    this.cellText = '';
    this.cellHref = null;
    this.hd3Text = null;
    this.spanDepth = 0;
    this.hd3SpanDepth = -1;
  }

  private closeCell(): void {
    this.inCell = false;
    if (this.rowIsHeading) {
      this.headingTexts.push(this.cellText);
      this.headingHd3.push(this.hd3Text);
    } else if (this.cellColumn !== null) {
      this.row.cell(this.cellColumn, this.cellText, this.cellHref);
    }
  }

  private closeRow(): void {
    if (this.inCell) this.closeCell();
    this.inRow = false;
    if (this.rowIsHeading) {
      this.columns ??= headingColumns(this.headingTexts, this.headingHd3);
      return;
    }
    if (this.rowCells < 2 || this.columns === null) return;
    if (this.packer !== null) {
      if (!this.row.finishPacked(this.checkboxValue, this.packer)) this.rowsWithoutBarcode += 1;
      return;
    }
    const row = this.row.finish(this.checkboxValue);
    if (row === null) this.rowsWithoutBarcode += 1;
    else this.rows.push(row);
  }
}
