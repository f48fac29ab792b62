import type { HttpTransport } from './http/transport.js';
import type { RetryPolicy } from './http/retry.js';
import type { Exchange } from './http/exchange.js';
import type { ParsedPage, RowFormat } from './listing/page-rows.js';
import type { ListingParseEngine } from './listing/parse-engine.js';
import type { ParseLocation } from './types.js';

/** What the operation modules share (built once by createGrinClient). */
export interface ClientContext {
  /** `{baseUrl}{libraryDirectory}/` */
  libraryUrl: string;
  transport: HttpTransport;
  retry: RetryPolicy;
  concurrency: number;
  parseIn: ParseLocation;
  /** Parses bytes read on this thread, here or in the worker. */
  parseEngine(location: ParseLocation): ListingParseEngine;
  /** Listing pages fetched and parsed by the worker; null when it cannot (injected dispatcher). */
  workerFetch(format: RowFormat): Exchange<Promise<ParsedPage>> | null;
}
