import type { Catalogue } from '@grin/books';

/**
 * A page stored only in part because `--limit` was reached inside it. The rows stored are
 * committed, but the cursor keeps pointing at the page itself (its `nextUrl` is the page's own
 * URL), so a resume fetches it again; this marker lets the resume skip the rows already stored
 * instead of counting them twice.
 */
export interface PartialPage {
  list: string;
  /** Cursor page number the partial rows were stored as. */
  pageNumber: number;
  url: string;
  /** Rows of the page stored (the page's first `rows` rows). */
  rows: number;
  /** Barcode of the last row stored, to check the page still starts the same way. */
  lastBarcode: string;
}

const key = (list: string): string => `collect.partial_page.${list}`;

export function readPartialPage(catalogue: Catalogue, list: string): PartialPage | undefined {
  return catalogue.getMetadata<PartialPage>(key(list));
}

export function writePartialPage(catalogue: Catalogue, partial: PartialPage): void {
  catalogue.setMetadata(key(partial.list), partial);
}

export function clearPartialPage(catalogue: Catalogue, list: string): void {
  if (readPartialPage(catalogue, list) !== undefined) catalogue.setMetadata(key(list), undefined);
}
