import type { ListingRow } from '../types.js';
import type { ParsedListing } from './listing-parser.js';
import { packedRowCount, packListingRows, unpackListingRows } from './packed-rows.js';

/** How a page's rows are handed out: row objects, or packed batches for another thread. */
export type RowFormat = 'objects' | 'packed';

/**
 * Rows per packed batch. Small enough that a batch string stays below V8's large-object size
 * (128 KB: ~210 characters per row, two bytes each when a title is not Latin-1), so batches are
 * young-generation garbage once used; the parser packs as it goes, so its row objects die young
 * too instead of living (and being promoted) until the whole page is parsed.
 */
export const PACKED_BATCH_ROWS = 200;

/** The rows of one page as they are parsed, in the consumer's format. */
export class PageRows {
  readonly objects: ListingRow[] = [];
  readonly packed: string[] = [];
  count = 0;

  constructor(readonly format: RowFormat) {}

  add(rows: ListingRow[]): void {
    if (rows.length === 0) return;
    if (this.format === 'packed') {
      for (let i = 0; i < rows.length; i += PACKED_BATCH_ROWS) this.addPacked(packListingRows(rows.slice(i, i + PACKED_BATCH_ROWS)));
      return;
    }
    this.count += rows.length;
    for (const row of rows) this.objects.push(row);
  }

  /** Rows that arrive packed (from the parse worker). */
  addPacked(packed: string): void {
    if (this.format === 'packed') {
      const count = packedRowCount(packed);
      if (count === 0) return;
      this.count += count;
      this.packed.push(packed);
    } else {
      this.add(unpackListingRows(packed));
    }
  }
}

/** A parsed page with its rows gathered by a {@link PageRows}. */
export type ParsedPage = Omit<ParsedListing, 'rows'> & { rows: PageRows };
