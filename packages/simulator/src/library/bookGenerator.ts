import type { BarcodeMapping } from './barcodeMapping.js';
import { formatGrinMinutes } from './grinDate.js';
import { hash3, Rng } from './random.js';
import { generateTitle } from './titleGenerator.js';
import type { ConversionFailure, GrinState, SimulatedBook } from '../types.js';

/**
 * A book as derived from (seed, index), before runtime state (conversions) is applied
 * (`archiveAvailable` is then true for CONVERTED), and without the enrichment columns.
 */
export type BaseBook = Omit<SimulatedBook, 'enrichment'>;

const STATE_SALT = 0x57a7e;
const FAILURE_SALT = 0xfa11ed;
const BOOK_SALT = 0xb00c;
const LINK_SALT = 0x11c;

const DAY = 1440;
const SCAN_START = Math.floor(Date.UTC(2005, 0, 1) / 60000);
const SCAN_SPAN = Math.floor(Date.UTC(2024, 5, 30) / 60000) - SCAN_START;
const LATEST = Math.floor(Date.UTC(2025, 5, 1) / 60000);
const LINK_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';

const FAILURE_INFO: readonly (readonly [string, string])[] = [
  ['Conversion failed', 'com.google.books.conversion.ConversionException: page 00000042.jp2: image decode error'],
  ['Missing pages', 'Expected 312 pages, found 308; sequence gap after 00000117'],
  ['OCR failed', 'OcrException: timeout after 3600s on page 00000007, retries exhausted'],
  ['Image processing error', 'java.lang.IllegalStateException: unsupported color space "CMYK", page 00000001'],
  ['Rights check failed', 'Volume withheld: rights determination pending, "pdus" & "ic" conflict'],
];

/** Base state from one hash: cheap enough to scan a million volumes for list indexes. */
export function baseStateOf(key: number, index: number): GrinState {
  const r = hash3(key, index, STATE_SALT) % 1000;
  if (r < 380) return 'CONVERTED';
  if (r < 580) return 'PREVIOUSLY_DOWNLOADED';
  if (r < 820) return 'CHECKED_IN';
  if (r < 900) return 'NEW';
  if (r < 980) return 'NOT_AVAILABLE_FOR_DOWNLOAD';
  return 'IN_PROCESS';
}

/** Whether a book has a conversion failure (listed on `_failed`, cannot be converted). */
export function isFailedBook(key: number, index: number, state: GrinState): boolean {
  if (state !== 'CHECKED_IN' && state !== 'PREVIOUSLY_DOWNLOADED' && state !== 'NEW') return false;
  return hash3(key, index, FAILURE_SALT) % 100 < 5;
}

/** Derives books from (seed, index) in O(1); one instance per library (reuses its PRNG). */
export class BookGenerator {
  private readonly rng = new Rng(0);

  constructor(
    private readonly key: number,
    private readonly barcodes: BarcodeMapping,
  ) {}

  generate(index: number): BaseBook {
    const key = this.key;
    const rng = this.rng.reseed(hash3(key, index, BOOK_SALT));
    const state = baseStateOf(key, index);
    const failed = isFailedBook(key, index, state);
    const title = state === 'NOT_AVAILABLE_FOR_DOWNLOAD' ? '' : generateTitle(rng);

    const scanned = SCAN_START + rng.int(SCAN_SPAN);
    const processed = scanned + rng.range(1, 30) * DAY + rng.int(DAY);
    const analyzed = processed + rng.int(10 * DAY);
    const ocr = analyzed + rng.int(3 * DAY);
    const converted = Math.min(LATEST, ocr + rng.range(30, 2000) * DAY + rng.int(DAY));
    const downloaded = Math.min(LATEST + 30 * DAY, converted + rng.range(1, 300) * DAY);
    // Occasional blanks even where a date would be expected: real listings have them.
    const blank = rng.int(100);

    let scannedDate: string | null = blank === 1 ? null : formatGrinMinutes(scanned);
    let processedDate: string | null = null;
    let analyzedDate: string | null = null;
    let ocrDate: string | null = null;
    let convertedDate: string | null = null;
    let downloadedDate: string | null = null;
    switch (state) {
      case 'NEW':
        if (blank < 40) scannedDate = null;
        break;
      case 'NOT_AVAILABLE_FOR_DOWNLOAD':
        if (blank < 50) processedDate = formatGrinMinutes(processed);
        break;
      default:
        processedDate = blank === 2 ? null : formatGrinMinutes(processed);
        analyzedDate = blank === 3 ? null : formatGrinMinutes(analyzed);
        ocrDate = blank === 4 ? null : formatGrinMinutes(ocr);
        if (state === 'CONVERTED' || state === 'PREVIOUSLY_DOWNLOADED') convertedDate = formatGrinMinutes(converted);
        if (state === 'PREVIOUSLY_DOWNLOADED' || (state === 'CONVERTED' && blank >= 85)) {
          downloadedDate = formatGrinMinutes(downloaded);
        }
    }

    let conversionFailure: ConversionFailure | null = null;
    if (failed) {
      const [info, detailedInfo] = rng.pick(FAILURE_INFO);
      conversionFailure = { date: formatGrinMinutes(ocr + rng.range(1, 60) * DAY), info, detailedInfo };
    }

    return {
      index,
      archiveAvailable: state === 'CONVERTED',
      barcode: this.barcodes.barcodeOf(index),
      title,
      state,
      scannedDate,
      analyzedDate,
      convertedDate,
      downloadedDate,
      processedDate,
      ocrDate,
      googleBooksLink: googleBooksLink(key, index),
      conversionFailure,
    };
  }
}

/** All 4096 two-character pairs: an id is six table lookups instead of twelve appends. */
const LINK_PAIRS: string[] = Array.from({ length: 4096 }, (_, i) => (LINK_CHARS[i >> 6] as string) + (LINK_CHARS[i & 63] as string));

function googleBooksLink(key: number, index: number): string {
  const a = hash3(key, index, LINK_SALT);
  const b = hash3(key, index, LINK_SALT + 1);
  const c = hash3(key, index, LINK_SALT + 2);
  return (
    'https://books.google.com/books?id=' +
    (LINK_PAIRS[a & 4095] as string) + (LINK_PAIRS[(a >>> 12) & 4095] as string) +
    (LINK_PAIRS[b & 4095] as string) + (LINK_PAIRS[(b >>> 12) & 4095] as string) +
    (LINK_PAIRS[c & 4095] as string) + (LINK_PAIRS[(c >>> 12) & 4095] as string)
  );
}
