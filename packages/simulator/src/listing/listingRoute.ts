import type { CursorCodec } from './cursorCodec.js';
import type { HeaderVariant } from './listingColumns.js';
import { errorPage, renderListingPage } from './listingHtml.js';
import { htmlResponse, type SimResponse, streamResponse } from '../http/simResponse.js';
import type { Library } from '../library/library.js';
import type { ListName } from '../types.js';

const DEFAULT_PAGE_SIZE = 100;

export interface ListingRequest {
  list: ListName;
  /** Rows per page; Infinity for `result_count=-1`. */
  pageSize: number;
  /** The `result_count` value to repeat in links. */
  resultCount: number;
  offset: number;
  cursor: 'none' | 'first' | 'ctoken';
  /** Set when the request must be answered 400. */
  error?: string;
  pageNumber: number;
}

export interface ListingSettings {
  libraryDirectory: string;
  headerVariant: HeaderVariant;
  nextLinkStyle: 'first' | 'ctoken';
  nextLinkHref: 'absolute-path' | 'relative' | 'absolute-url';
  /** 'http://127.0.0.1:PORT', for absolute-url links. */
  origin: () => string;
}

/** Parses page size and cursor without side effects (fault matching needs the page number). */
export function parseListingRequest(list: ListName, query: URLSearchParams, codec: CursorCodec): ListingRequest {
  const request: ListingRequest = { list, pageSize: DEFAULT_PAGE_SIZE, resultCount: DEFAULT_PAGE_SIZE, offset: 0, cursor: 'none', pageNumber: 1 };
  const count = query.get('result_count');
  if (count !== null) {
    const n = Number(count);
    if (!Number.isInteger(n) || (n < 1 && n !== -1)) return { ...request, error: `Invalid result_count: ${count}` };
    request.resultCount = n;
    request.pageSize = n === -1 ? Infinity : n;
  }
  const ctoken = query.get('ctoken');
  const first = query.get('first');
  if (ctoken !== null) {
    request.cursor = 'ctoken';
    const check = codec.decode(ctoken, list);
    if (!check.ok) {
      return { ...request, error: check.reason === 'expired' ? 'This page has expired. Please start again from the first page.' : 'Invalid continuation token.' };
    }
    request.offset = check.cursor.offset;
  } else if (first !== null) {
    request.cursor = 'first';
    const n = Number(first);
    if (!Number.isInteger(n) || n < 0) return { ...request, error: `Invalid first: ${first}` };
    request.offset = n;
  }
  request.pageNumber = request.pageSize === Infinity ? 1 : Math.floor(request.offset / request.pageSize) + 1;
  return request;
}

export interface ListingOutcome {
  response: SimResponse;
  rows: number;
}

/** The HTML page for a parsed request: 400 for a bad/expired cursor, otherwise streamed rows. */
export function listingResponse(request: ListingRequest, library: Library, codec: CursorCodec, settings: ListingSettings): ListingOutcome {
  if (request.error !== undefined) return { response: htmlResponse(400, errorPage(400, request.error)), rows: 0 };
  library.settle();
  // Snapshot: list arrays are replaced (never mutated) when conversions change membership.
  const indices = library.listSnapshot(request.list);
  const total = indices === null ? library.size : indices.length;
  const start = Math.min(request.offset, total);
  const rows = Math.max(0, Math.min(request.pageSize, total - start));
  const href = (offset: number): string => {
    const cursor = settings.nextLinkStyle === 'ctoken' ? `ctoken=${codec.encode(request.list, offset)}` : `first=${offset}`;
    const relative = `${request.list}?result_count=${request.resultCount}&${cursor}`;
    const dirPath = `/libraries/${encodeURIComponent(settings.libraryDirectory)}/`;
    if (settings.nextLinkHref === 'relative') return relative;
    if (settings.nextLinkHref === 'absolute-url') return `${settings.origin()}${dirPath}${relative}`;
    return `${dirPath}${relative}`;
  };
  const hasNext = rows > 0 && start + rows < total;
  const prevOffset = start > 0 ? Math.max(0, start - (request.pageSize === Infinity ? start : request.pageSize)) : undefined;
  const list = request.list;
  const bookAt =
    indices === null
      ? (position: number) => library.listingBook(position)
      : (position: number) => library.listingBook(indices[position] as number);
  const spec = {
    list,
    libraryDirectory: settings.libraryDirectory,
    headerVariant: settings.headerVariant,
    offset: start,
    rows,
    total,
    bookAt,
    prevHref: prevOffset === undefined ? undefined : href(prevOffset),
    nextHref: hasNext ? href(start + rows) : undefined,
  };
  return { response: streamResponse(200, 'text/html; charset=utf-8', () => renderListingPage(spec)), rows };
}
