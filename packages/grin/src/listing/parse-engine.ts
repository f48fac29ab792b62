import { ListingParser } from './listing-parser.js';
import { PACKED_BATCH_ROWS, PageRows, type ParsedPage, type RowFormat } from './page-rows.js';

/** Parsing of one page, fed with raw body bytes as they arrive. */
export interface PageParseSession {
  write(bytes: Uint8Array): void;
  /** Ends the input and returns the parsed page. */
  end(): Promise<ParsedPage>;
  /** Drops the session (the page fetch failed). */
  abort(): void;
}

/** Where pages are parsed (calling thread, or a worker thread). */
export interface ListingParseEngine {
  start(format: RowFormat): PageParseSession;
  close(): Promise<void>;
}

/** Parses on the calling thread, chunk by chunk as bytes arrive. */
export class MainThreadParseEngine implements ListingParseEngine {
  start(format: RowFormat): PageParseSession {
    const decoder = new TextDecoder('utf-8');
    // Packed rows are packed as the page goes, without row objects.
    const parser = new ListingParser(format === 'packed' ? { packBatchRows: PACKED_BATCH_ROWS } : {});
    const rows = new PageRows(format);
    return {
      write: (bytes) => {
        parser.write(decoder.decode(bytes, { stream: true }));
        for (const batch of parser.takePacked()) rows.addPacked(batch);
      },
      end: () => {
        parser.write(decoder.decode());
        const { rows: objects, ...page } = parser.end();
        rows.add(objects);
        for (const batch of parser.takePacked()) rows.addPacked(batch);
        return Promise.resolve({ ...page, rows });
      },
      abort: () => undefined,
    };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
