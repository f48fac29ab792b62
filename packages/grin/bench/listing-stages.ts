// The stages of a listing page between the HTTP body and row objects on the consuming thread,
// each runnable alone on the same bytes so the benchmark can price them per row.
import { deserialize, serialize } from 'node:v8';
import { Parser, Tokenizer, type TokenizerCallbacks } from 'htmlparser2';
import { ListingParser } from '../src/listing/listing-parser.js';
import { trimmedGrinDateToIso } from '../src/listing/grin-date.js';
import { packListingRows, unpackListingRows } from '../src/listing/packed-rows.js';
import { PACKED_BATCH_ROWS } from '../src/listing/page-rows.js';
import type { ListingRow } from '../src/types.js';
import { OracleListingParser } from '../test/helpers/parser-oracle.js';

const noop = (): void => undefined;

function decodeAll(chunks: readonly Uint8Array[], write: (text: string) => void): void {
  const decoder = new TextDecoder();
  for (const chunk of chunks) write(decoder.decode(chunk, { stream: true }));
  write(decoder.decode());
}

/** TextDecoder only. */
export function decodeOnly(chunks: readonly Uint8Array[]): void {
  decodeAll(chunks, noop);
}

/** The limit of the benchmarks: htmlparser2's Parser with no-op handlers (decode included). */
export function bareParserPass(chunks: readonly Uint8Array[]): void {
  const parser = new Parser({ onopentag: noop, onclosetag: noop, ontext: noop });
  decodeAll(chunks, (text) => parser.write(text));
  parser.end();
}

const NOOP_CALLBACKS: TokenizerCallbacks = {
  onattribdata: noop, onattribentity: noop, onattribend: noop, onattribname: noop, oncdata: noop, onclosetag: noop,
  oncomment: noop, ondeclaration: noop, onend: noop, onopentagend: noop, onopentagname: noop,
  onprocessinginstruction: noop, onselfclosingtag: noop, ontext: noop, ontextentity: noop,
};

/** htmlparser2's Tokenizer alone (what ListingParser is built on), decode included. */
export function bareTokenizerPass(chunks: readonly Uint8Array[]): void {
  const tokenizer = new Tokenizer({ decodeEntities: true }, NOOP_CALLBACKS);
  decodeAll(chunks, (text) => tokenizer.write(text));
  tokenizer.end();
}

/** The first ListingParser (on htmlparser2's Parser; now the tests' oracle), decode included. */
export function oracleParse(chunks: readonly Uint8Array[]): ListingRow[] {
  const parser = new OracleListingParser();
  decodeAll(chunks, (text) => parser.write(text));
  return parser.end().rows;
}

/** ListingParser producing row objects, decode included. */
export function listingParse(chunks: readonly Uint8Array[]): ListingRow[] {
  const parser = new ListingParser();
  decodeAll(chunks, (text) => parser.write(text));
  return parser.end().rows;
}

/** ListingParser packing rows as it goes (what a listing thread sends), decode included. */
export function listingParsePacked(chunks: readonly Uint8Array[]): string[] {
  const parser = new ListingParser({ packBatchRows: PACKED_BATCH_ROWS });
  decodeAll(chunks, (text) => parser.write(text));
  parser.end();
  return parser.takePacked();
}

/** The date conversions of a page alone (6 per row on `_all_books`). */
export function convertDates(dates: readonly string[]): number {
  let n = 0;
  for (const date of dates) n += trimmedGrinDateToIso(date).length;
  return n;
}

/** Row objects through structured clone (what posting a ListingPage costs both threads). */
export function cloneObjects(rows: readonly ListingRow[]): ListingRow[] {
  return deserialize(serialize(rows)) as ListingRow[];
}

/** Packing (sender) then structured clone of the packed strings and unpacking (receiver). */
export function packCloneUnpack(rows: readonly ListingRow[]): ListingRow[] {
  const batches: string[] = [];
  for (let i = 0; i < rows.length; i += PACKED_BATCH_ROWS) batches.push(packListingRows(rows.slice(i, i + PACKED_BATCH_ROWS)));
  return receivePacked(serialize(batches));
}

/** The receiving thread's share: structured clone of packed batches, then unpacking. */
export function receivePacked(message: Buffer): ListingRow[] {
  const out: ListingRow[] = [];
  for (const packed of deserialize(message) as string[]) for (const row of unpackListingRows(packed)) out.push(row);
  return out;
}

/** The receiving thread's share when row objects are posted. */
export function receiveObjects(message: Buffer): ListingRow[] {
  return deserialize(message) as ListingRow[];
}
