import type { IncomingMessage } from 'node:http';
import type { SimulatorEndpoint } from '../faults/faultTypes.js';
import type { CursorCodec } from '../listing/cursorCodec.js';
import { type ListingRequest, parseListingRequest } from '../listing/listingRoute.js';
import type { ListName } from '../types.js';

const LISTS: ReadonlySet<string> = new Set<ListName>(['_all_books', '_converted', '_failed', '_in_process']);
const ARCHIVE_RE = /^(.+)\.tar\.gz\.gpg$/;

export type Route =
  | { endpoint: 'auth' }
  | { endpoint: 'token' }
  | { endpoint: 'probe'; dir: string }
  | { endpoint: 'listing'; dir: string; listing: ListingRequest }
  | { endpoint: 'text-list'; dir: string; list: ListName }
  | { endpoint: 'process' | 'barcode-search'; dir: string }
  | { endpoint: 'archive-head' | 'archive-get'; dir: string; barcode: string }
  | { endpoint: 'other'; status: 404 | 405 };

export type RouteEndpoint = SimulatorEndpoint | 'other';

/** Maps a request to an endpoint class (pure: nothing is served or counted here). */
export function classify(req: IncomingMessage, url: URL, codec: CursorCodec): Route {
  const method = req.method ?? 'GET';
  const path = url.pathname;
  if (path === '/o/oauth2/auth' || path === '/o/oauth2/v2/auth') {
    return method === 'GET' ? { endpoint: 'auth' } : { endpoint: 'other', status: 405 };
  }
  if (path === '/token') return { endpoint: 'token' };
  if (!path.startsWith('/libraries/')) return { endpoint: 'other', status: 404 };
  if (method !== 'GET' && method !== 'HEAD') return { endpoint: 'other', status: 405 };

  const rest = path.slice('/libraries/'.length);
  const slash = rest.indexOf('/');
  let dir: string;
  let name: string;
  try {
    dir = decodeURIComponent(slash < 0 ? rest : rest.slice(0, slash));
    name = slash < 0 ? '' : decodeURIComponent(rest.slice(slash + 1));
  } catch {
    return { endpoint: 'other', status: 404 };
  }
  if (dir === '') return { endpoint: 'other', status: 404 };
  if (name === '') return { endpoint: 'probe', dir };
  if (LISTS.has(name)) {
    const list = name as ListName;
    if (url.searchParams.get('format') === 'text') return { endpoint: 'text-list', dir, list };
    return { endpoint: 'listing', dir, listing: parseListingRequest(list, url.searchParams, codec) };
  }
  if (name === '_process') return { endpoint: 'process', dir };
  if (name === '_barcode_search') return { endpoint: 'barcode-search', dir };
  const archive = ARCHIVE_RE.exec(name);
  if (archive && !archive[1]?.includes('/')) {
    return { endpoint: method === 'HEAD' ? 'archive-head' : 'archive-get', dir, barcode: archive[1] as string };
  }
  return { endpoint: 'other', status: 404 };
}

/** Barcodes from `barcodes=` parameters, separated by commas, spaces or `+`. */
export function barcodesParam(query: URLSearchParams): string[] {
  return query
    .getAll('barcodes')
    .flatMap((value) => value.split(/[\s,+]+/))
    .filter((barcode) => barcode !== '');
}
