import type { GrinClient } from '@grin/client';
import { isValidBarcode } from './barcode.js';

export interface ConvertedSelectorOptions {
  signal?: AbortSignal;
  /** Rows per listing page (`result_count`); default the client's (10,000). */
  pageSize?: number;
  /** Called with each page's valid barcodes before they are yielded (e.g. to add catalogue rows). */
  onPage?: (barcodes: readonly string[], pageNumber: number) => void;
  /** Called for a listed barcode that is not safe to use (it is skipped). */
  onInvalid?: (barcode: string) => void;
}

/**
 * Barcodes of GRIN's `_converted` listing, page by page (the client keeps one page prefetched), so
 * at most two pages are held however long the listing is.
 */
export async function* convertedBarcodes(client: GrinClient, options: ConvertedSelectorOptions = {}): AsyncGenerator<string> {
  const pages = client.listPages('_converted', {
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }),
  });
  for await (const page of pages) {
    const valid: string[] = [];
    for (const row of page.rows) {
      if (isValidBarcode(row.barcode)) valid.push(row.barcode);
      else options.onInvalid?.(row.barcode);
    }
    options.onPage?.(valid, page.pageNumber);
    yield* valid;
  }
}

/**
 * How many valid barcodes GRIN's `_converted` listing holds, counted by a separate walk that keeps
 * no barcodes (one request per page; the walk that feeds the pipeline is paced by the pipeline and
 * only reaches the end of a long listing near the end of the run). Stops early at `max`.
 */
export async function countConvertedBarcodes(client: GrinClient, options: { signal?: AbortSignal; pageSize?: number; max?: number } = {}): Promise<number> {
  const pages = client.listPages('_converted', {
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }),
  });
  let n = 0;
  for await (const page of pages) {
    for (const row of page.rows) if (isValidBarcode(row.barcode)) n++;
    if (options.max !== undefined && n >= options.max) return options.max;
  }
  return n;
}

/** The first `limit` items of `source` (all when `limit` is undefined); stops pulling after that. */
export async function* takeFirst<T>(source: AsyncIterable<T>, limit: number | undefined): AsyncGenerator<T> {
  if (limit === undefined) {
    yield* source;
    return;
  }
  if (limit <= 0) return;
  let n = 0;
  for await (const item of source) {
    yield item;
    if (++n >= limit) return;
  }
}
