import { Tokenizer } from 'htmlparser2';
import type { ListingRow } from '../types.js';
import { ListingTokens } from './listing-tokens.js';
import { RowPacker } from './packed-rows.js';

/** What one HTML listing page yields before the Next href is resolved against the page URL. */
export interface ParsedListing {
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

export const UNAVAILABLE_TEXT = 'Your request is unavailable';

/**
 * Streaming parser of a GRIN listing page (reference 1.3-1.5). Feed decoded text with
 * {@link write} as it arrives, then call {@link end}. Keeps only the current row in memory
 * besides the finished rows, so a 10,000-row page never becomes a DOM.
 *
 * The listing table is the first table containing a `tr` with class `heading`; its header names
 * come from `span.hd3` (or the cell text when a heading cell has no such span). Heading rows are
 * never data rows; rows with fewer than two cells are ignored.
 *
 * Built on htmlparser2's Tokenizer (entity decoding, raw-text elements, comments) with the
 * listing's own light structure handling; see {@link ListingTokens}.
 */
export class ListingParser {
  private readonly tokens = new ListingTokens();
  private readonly tokenizer = new Tokenizer({ decodeEntities: true }, this.tokens);
  private readonly packer: RowPacker | null;
  private unavailable = false;
  private tail = '';

  /**
   * `packBatchRows`: pack rows into {@link RowPacker} batches of that many rows (taken with
   * {@link takePacked}) instead of building row objects, for rows bound for another thread.
   */
  constructor(options: { packBatchRows?: number } = {}) {
    this.packer = options.packBatchRows === undefined ? null : new RowPacker(options.packBatchRows);
    this.tokens.packer = this.packer;
  }

  /** Feeds the next piece of the decoded page. */
  write(chunk: string): void {
    if (chunk === '') return;
    if (!this.unavailable) {
      if (chunk.includes(UNAVAILABLE_TEXT)) this.unavailable = true;
      else if (this.tail !== '' && (this.tail + chunk.slice(0, UNAVAILABLE_TEXT.length)).includes(UNAVAILABLE_TEXT)) {
        this.unavailable = true;
      }
      this.tail = (chunk.length >= UNAVAILABLE_TEXT.length ? chunk : this.tail + chunk).slice(1 - UNAVAILABLE_TEXT.length);
    }
    this.tokens.text.push(chunk);
    this.tokenizer.write(chunk);
  }

  /** Number of finished rows not yet taken by {@link takeRows} (row objects only). */
  get pendingRows(): number {
    return this.tokens.rows.length;
  }

  /** Packing mode: the batches closed so far (after {@link end}: all of them). */
  takePacked(): string[] {
    return this.packer?.take() ?? [];
  }

  /** Hands out the rows finished so far (they are not repeated by {@link end}). */
  takeRows(): ListingRow[] {
    const rows = this.tokens.rows;
    this.tokens.rows = [];
    return rows;
  }

  /** Finishes parsing and returns the page's content (rows not yet taken; none in packing mode). */
  end(): ParsedListing {
    this.tokenizer.end();
    this.packer?.close();
    const t = this.tokens;
    return {
      rows: t.rows,
      rowsWithoutBarcode: t.rowsWithoutBarcode,
      nextHref: t.links.next,
      unavailable: this.unavailable,
      tableFound: t.tableFound,
      tableComplete: t.tableComplete,
    };
  }
}

/** Parses a whole page held in one string (tests, fixtures). */
export function parseListingHtml(html: string): ParsedListing {
  const parser = new ListingParser();
  parser.write(html);
  return parser.end();
}
