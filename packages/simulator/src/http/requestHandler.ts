import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestRecorder } from './requestRecorder.js';
import { sendResponse } from './responseSender.js';
import { barcodesParam, classify, type Route } from './router.js';
import { htmlResponse, jsonResponse, type SimResponse, textResponse } from './simResponse.js';
import { handleArchive } from '../archive/archiveRoute.js';
import type { ArchiveStore } from '../archive/archiveStore.js';
import { handleAuthorize, handleToken } from '../auth/authRoutes.js';
import type { TokenAuthority } from '../auth/tokenAuthority.js';
import type { FaultDecision, FaultEngine, ReplacingFault } from '../faults/faultEngine.js';
import { barcodeSearchTsv } from '../library/barcodeSearch.js';
import { requestConversions } from '../library/conversionRequests.js';
import type { Library } from '../library/library.js';
import type { CursorCodec } from '../listing/cursorCodec.js';
import { errorPage, unavailablePage } from '../listing/listingHtml.js';
import { type ListingRequest, listingResponse, type ListingSettings } from '../listing/listingRoute.js';
import { probeResponse, textListResponse } from '../listing/textLists.js';

export interface HandlerDeps {
  library: Library;
  archives: ArchiveStore;
  authority: TokenAuthority;
  faults: FaultEngine;
  recorder: RequestRecorder;
  codec: CursorCodec;
  listing: ListingSettings;
  queueLimit: number;
  pageLatencyMs: number;
  unauthorizedStyle: 'status-401' | 'login-redirect';
  sleep: (ms: number) => Promise<void>;
}

/** The whole request flow: classify, log, authenticate, inject faults, serve, record. */
export function createRequestHandler(deps: HandlerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(deps, req, res).catch(() => {
      // handle() already answered or destroyed the socket; nothing is left to report to.
    });
  };
}

async function handle(deps: HandlerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://simulator.invalid');
  const route = classify(req, url, deps.codec);
  const barcode = 'barcode' in route ? route.barcode : undefined;
  const entry = deps.recorder.begin(req.method ?? 'GET', url.pathname, url.searchParams, route.endpoint, barcode);
  let response: SimResponse | undefined;
  let aborted = false;
  let rows = 0;
  try {
    let decision: FaultDecision | undefined;
    const early = await gate(deps, req, route);
    if (early || route.endpoint === 'other') {
      response = early ?? textResponse(404, 'Not Found\n');
    } else {
      decision = deps.faults.evaluate(faultContext(route));
      deps.recorder.faults(entry, decision?.applied ?? []);
      if (decision && decision.latencyMs > 0) await deps.sleep(decision.latencyMs);
      if (decision?.replace) {
        response = replacement(decision.replace);
      } else {
        if (route.endpoint === 'listing' && deps.pageLatencyMs > 0) await deps.sleep(deps.pageLatencyMs);
        const served = await serve(deps, req, url, route);
        response = served.response;
        rows = served.rows;
      }
    }
    deps.recorder.responded(entry, response.status);
    if (route.endpoint === 'listing') recordPage(deps, route.listing, response.status, rows);
    const countBytes = route.endpoint === 'archive-get' ? (n: number) => deps.recorder.bytesServed(n) : undefined;
    const result = await sendResponse(req, res, response, decision?.body ?? {}, deps.sleep, countBytes);
    aborted = result.aborted;
  } catch (err) {
    aborted = true;
    if (!res.headersSent && !res.destroyed) {
      const message = err instanceof Error ? err.message : String(err);
      res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
      res.end(`Internal simulator error: ${message}\n`);
    } else {
      res.destroy();
    }
  } finally {
    response?.dispose?.();
    const status = res.statusCode;
    deps.recorder.finish(entry, status, aborted);
    if (route.endpoint === 'listing' && entry.status === 0) recordPage(deps, route.listing, status, 0);
  }
}

function recordPage(deps: HandlerDeps, l: ListingRequest, status: number, rows: number): void {
  deps.recorder.listingPage({
    list: l.list,
    first: l.offset,
    ctoken: l.cursor === 'ctoken',
    pageNumber: l.pageNumber,
    pageSize: l.resultCount,
    rows: status === 200 ? rows : 0,
    status,
  });
}

/** Answers that come before faults: unknown paths, missing/expired tokens, other libraries. */
async function gate(deps: HandlerDeps, req: IncomingMessage, route: Route): Promise<SimResponse | undefined> {
  if (route.endpoint === 'other') return textResponse(route.status, route.status === 404 ? 'Not Found\n' : 'Method Not Allowed\n');
  if (route.endpoint === 'auth' || route.endpoint === 'token') return undefined;
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  const check = match ? deps.authority.verifyAccessToken(match[1] as string) : 'invalid';
  if (check !== 'ok') {
    deps.recorder.count('unauthorized');
    if (deps.unauthorizedStyle === 'login-redirect') {
      const target = `https://accounts.google.com/ServiceLogin?service=print&continue=${encodeURIComponent(req.url ?? '/')}`;
      return { status: 302, headers: { Location: target, 'Content-Length': 0 } };
    }
    const response = jsonResponse(401, {
      error: { code: 401, message: match ? 'Request had invalid authentication credentials.' : 'Login Required.', status: 'UNAUTHENTICATED' },
    });
    response.headers['WWW-Authenticate'] = `Bearer realm="https://accounts.google.com/", error="invalid_token"`;
    return response;
  }
  if (route.dir !== deps.listing.libraryDirectory) {
    return htmlResponse(403, errorPage(403, `You do not have permission to access the library directory ${route.dir}.`));
  }
  return undefined;
}

function faultContext(route: Exclude<Route, { endpoint: 'other' }>): Parameters<FaultEngine['evaluate']>[0] {
  if (route.endpoint === 'listing') {
    const l = route.listing;
    return { endpoint: 'listing', list: l.list, pageNumber: l.pageNumber, hasCursor: l.cursor !== 'none' };
  }
  if (route.endpoint === 'text-list') return { endpoint: 'text-list', list: route.list, hasCursor: false };
  if (route.endpoint === 'archive-head' || route.endpoint === 'archive-get') {
    return { endpoint: route.endpoint, barcode: route.barcode, hasCursor: false };
  }
  return { endpoint: route.endpoint, hasCursor: false };
}

function replacement(fault: ReplacingFault): SimResponse {
  switch (fault.kind) {
    case 'unavailable-page':
      return htmlResponse(200, unavailablePage());
    case 'expired-cursor':
      return htmlResponse(400, errorPage(400, 'This page has expired. Please start again from the first page.'));
    default: {
      const status = Number(fault.kind.slice('status-'.length));
      const response = htmlResponse(status, errorPage(status, status === 429 ? 'Too Many Requests' : status === 503 ? 'Service Unavailable' : 'Server Error'));
      if (fault.retryAfterSeconds !== undefined) response.headers['Retry-After'] = String(fault.retryAfterSeconds);
      return response;
    }
  }
}

async function serve(deps: HandlerDeps, req: IncomingMessage, url: URL, route: Exclude<Route, { endpoint: 'other' }>): Promise<{ response: SimResponse; rows: number }> {
  const { library } = deps;
  const query = url.searchParams;
  switch (route.endpoint) {
    case 'auth':
      return { response: handleAuthorize(query, deps.authority), rows: 0 };
    case 'token':
      return { response: await handleToken(req, deps.authority, deps.recorder), rows: 0 };
    case 'probe':
      return { response: probeResponse(query, library, deps.listing.libraryDirectory), rows: 0 };
    case 'listing':
      return listingResponse(route.listing, library, deps.codec, deps.listing);
    case 'text-list':
      return { response: textListResponse(route.list, query, library), rows: 0 };
    case 'process': {
      const barcodes = barcodesParam(query);
      if (barcodes.length === 0) return { response: textResponse(400, 'Missing barcodes parameter\n'), rows: 0 };
      const result = requestConversions(library, barcodes, deps.queueLimit);
      if (result.kind === 'queue-full') {
        return { response: textResponse(429, `Too many books in process (${result.inProcess} of ${result.limit}); try again later\n`), rows: 0 };
      }
      deps.recorder.count('conversionsRequested', result.started);
      const tsv = `Barcode\tStatus\n${result.lines.map((l) => `${l.barcode}\t${l.status}\n`).join('')}`;
      return { response: textResponse(200, tsv, 'text/tab-separated-values; charset=utf-8'), rows: 0 };
    }
    case 'barcode-search': {
      if (query.get('execute_query') !== 'true' || query.get('format') !== 'text') {
        const form = '<!DOCTYPE html><html><body><form method="get"><textarea name="barcodes"></textarea><input type="hidden" name="execute_query" value="true"><input type="submit" value="Search"></form></body></html>\n';
        return { response: htmlResponse(200, form), rows: 0 };
      }
      return { response: textResponse(200, barcodeSearchTsv(library, barcodesParam(query)), 'text/tab-separated-values; charset=utf-8'), rows: 0 };
    }
    case 'archive-head':
    case 'archive-get': {
      library.settle();
      const book = library.byBarcode(route.barcode);
      return { response: await handleArchive(req.method ?? 'GET', book, deps.archives), rows: 0 };
    }
  }
}
