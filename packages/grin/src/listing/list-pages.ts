import { setImmediate } from 'node:timers/promises';
import type { ClientContext } from '../client-context.js';
import { GrinError, NetworkError, ProtocolError, UnavailableError } from '../errors.js';
import { withRetry } from '../http/retry.js';
import { toNetworkError } from '../http/network-error.js';
import { abortReason } from '../http/sleep.js';
import type { ListingPage, ListPagesOptions, PackedListingPage, ParseLocation } from '../types.js';
import { hasCursor } from './cursor-links.js';
import type { PageRows, ParsedPage, RowFormat } from './page-rows.js';
import { ListingWorkerError } from './worker-error.js';

export const DEFAULT_PAGE_SIZE = 10_000;

interface FetchPageOptions {
  parseIn: ParseLocation;
  format: RowFormat;
  /** Accept a page without a listing table as an empty page (e.g. an empty `_failed`). */
  allowMissingTable: boolean;
  signal: AbortSignal;
}

/** URL of page 1 of a listing. */
export function firstPageUrl(libraryUrl: string, list: string, pageSize: number): string {
  return new URL(`${encodeURIComponent(list)}?result_count=${pageSize}`, libraryUrl).toString();
}

/** One fetched page, its rows in the walk's format. */
interface FetchedPage {
  pageNumber: number;
  url: string;
  rows: PageRows;
  rowsWithoutBarcode: number;
  nextUrl: string | null;
}

/** Fetches and parses one page, retrying network errors, 429/5xx and "unavailable" pages. */
function fetchListingPage(ctx: ClientContext, url: string, pageNumber: number, options: FetchPageOptions): Promise<FetchedPage> {
  const { signal } = options;
  return withRetry(ctx.retry, url, signal, async () => {
    const parsed = await fetchAndParse(ctx, url, pageNumber, options);
    if (parsed.unavailable) {
      throw new UnavailableError(`GRIN answered "Your request is unavailable" for listing page ${pageNumber} (${url}).`, {
        url,
      });
    }
    if (parsed.tableFound && !parsed.tableComplete) {
      throw new NetworkError(
        `Listing page ${pageNumber} ends inside the listing table: the body was cut short (${url}).`,
        { url },
      );
    }
    if (!parsed.tableFound && !options.allowMissingTable) {
      throw new ProtocolError(`Listing page ${pageNumber} has no table with a heading row (${url}).`, { url });
    }
    let nextUrl = parsed.nextHref === null ? null : new URL(parsed.nextHref, url).toString();
    // A page without any row ends the listing (a Next link there would only loop).
    if (parsed.rows.count + parsed.rowsWithoutBarcode === 0) nextUrl = null;
    if (nextUrl === url) {
      throw new ProtocolError(`The Next link of listing page ${pageNumber} points to the page itself (${url}).`, { url });
    }
    return { pageNumber, url, rows: parsed.rows, rowsWithoutBarcode: parsed.rowsWithoutBarcode, nextUrl };
  });
}

/** One attempt: request the page and parse its body (in the worker when it can fetch itself). */
async function fetchAndParse(ctx: ClientContext, url: string, pageNumber: number, options: FetchPageOptions): Promise<ParsedPage> {
  const { signal } = options;
  const sendOptions = { signal, cursorUrl: hasCursor(url) };
  const workerFetch = options.parseIn === 'worker' ? ctx.workerFetch(options.format) : null;
  if (workerFetch !== null) {
    const response = await ctx.transport.send(url, sendOptions, workerFetch);
    try {
      return await response.body;
    } catch (error) {
      if (signal.aborted) throw abortReason(signal);
      if (error instanceof ListingWorkerError && error.isParseError) throw parseFailure(error, url, pageNumber);
      throw toNetworkError(error, url);
    }
  }
  const response = await ctx.transport.send(url, sendOptions);
  const session = ctx.parseEngine(options.parseIn).start(options.format);
  try {
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) session.write(chunk);
  } catch (error) {
    session.abort();
    if (signal.aborted) throw abortReason(signal);
    throw toNetworkError(error, url);
  }
  try {
    return await session.end();
  } catch (error) {
    throw parseFailure(error, url, pageNumber);
  }
}

function parseFailure(error: unknown, url: string, pageNumber: number): ProtocolError {
  return new ProtocolError(`Cannot parse listing page ${pageNumber} (${url}): ${(error as Error).message}`, { cause: error, url });
}

/**
 * Iterates the pages of a listing, keeping exactly one page in flight ahead of the consumer:
 * page k+1 is requested when page k is handed out, and not before.
 */
export async function* listPages(
  ctx: ClientContext,
  list: string,
  opts: ListPagesOptions = {},
  allowMissingTable = false,
): AsyncGenerator<ListingPage> {
  for await (const page of walkPages(ctx, list, opts, allowMissingTable, 'objects')) {
    yield { pageNumber: page.pageNumber, url: page.url, rows: page.rows.objects, rowsWithoutBarcode: page.rowsWithoutBarcode, nextUrl: page.nextUrl };
  }
}

/** {@link listPages} with the rows packed for another thread (see packListingRows). */
export async function* listPackedPages(ctx: ClientContext, list: string, opts: ListPagesOptions = {}): AsyncGenerator<PackedListingPage> {
  for await (const page of walkPages(ctx, list, opts, false, 'packed')) {
    yield {
      pageNumber: page.pageNumber,
      url: page.url,
      packedRows: page.rows.packed,
      rowCount: page.rows.count,
      rowsWithoutBarcode: page.rowsWithoutBarcode,
      nextUrl: page.nextUrl,
    };
  }
}

async function* walkPages(
  ctx: ClientContext,
  list: string,
  opts: ListPagesOptions,
  allowMissingTable: boolean,
  format: RowFormat,
): AsyncGenerator<FetchedPage> {
  const pageSize = opts.pageSize ?? DEFAULT_PAGE_SIZE;
  const startUrl = opts.startUrl ?? firstPageUrl(ctx.libraryUrl, list, pageSize);
  const parseIn = opts.parseIn ?? ctx.parseIn;
  // An internal controller stops a prefetch the consumer no longer wants.
  const controller = new AbortController();
  const outer = opts.signal;
  const onAbort = (): void => controller.abort(outer?.reason);
  if (outer?.aborted) throw abortReason(outer);
  outer?.addEventListener('abort', onAbort, { once: true });
  const fetchOptions: FetchPageOptions = { parseIn, format, allowMissingTable, signal: controller.signal };

  let pending: Promise<FetchedPage> | null = fetchListingPage(ctx, startUrl, opts.startPageNumber ?? 1, fetchOptions);
  try {
    while (pending !== null) {
      const page: FetchedPage = await pending;
      pending = null;
      if (page.nextUrl !== null) {
        pending = fetchListingPage(ctx, page.nextUrl, page.pageNumber + 1, fetchOptions);
        // Its failure is reported when the consumer asks for that page, not as an unhandled rejection.
        pending.catch(() => undefined);
        // Let the request go out before the consumer gets the page: its continuations are
        // microtasks that a consumer busy for a while (e.g. writing SQLite) would otherwise delay,
        // and the worker cannot start fetching and parsing in parallel before it is asked.
        await setImmediate();
      }
      yield page;
    }
  } catch (error) {
    if (outer?.aborted && !(error instanceof GrinError)) throw abortReason(outer);
    throw error;
  } finally {
    outer?.removeEventListener('abort', onAbort);
    if (pending !== null) {
      controller.abort();
      await pending.catch(() => undefined);
    }
  }
}
