import type { ParsedListing } from './listing-parser.js';
import { ListingParser } from './listing-parser.js';

/** Parsing of one page, fed with raw body bytes as they arrive. */
export interface PageParseSession {
  write(bytes: Uint8Array): void;
  /** Ends the input and returns the parsed page. */
  end(): Promise<ParsedListing>;
  /** Drops the session (the page fetch failed). */
  abort(): void;
}

/** Where pages are parsed (calling thread, or a worker thread). */
export interface ListingParseEngine {
  start(): PageParseSession;
  close(): Promise<void>;
}

/** Parses on the calling thread, chunk by chunk as bytes arrive. */
export class MainThreadParseEngine implements ListingParseEngine {
  start(): PageParseSession {
    const decoder = new TextDecoder('utf-8');
    const parser = new ListingParser();
    return {
      write: (bytes) => parser.write(decoder.decode(bytes, { stream: true })),
      end: () => {
        parser.write(decoder.decode());
        return Promise.resolve(parser.end());
      },
      abort: () => undefined,
    };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
