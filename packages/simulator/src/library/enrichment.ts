import { formatGrinMinutes, parseGrinDate } from './grinDate.js';
import { hash3, Rng } from './random.js';
import type { GrinState } from '../types.js';

/** `_barcode_search` columns in the order of the reference's test mock (1.9). */
export const BARCODE_SEARCH_COLUMNS = [
  'Barcode', 'Check-In Date', 'State', 'Viewability', 'Conditions', 'Scannable',
  'Opted-Out (post-scan)', 'Tagging', 'Audit', 'Material Error%', 'Overall Error%', 'Scanned Date',
  'Processed Date', 'Analyzed Date', 'Converted Date', 'Allow Download Updated Date',
  'Viewability Updated Date', 'Source Library Bibkey', 'Rubbish', 'Downloaded Date', 'Claimed',
  'OCR GTD Score', 'OCR Analysis Score', 'Digitization Method', "OCR'd Date",
] as const;

const VIEWABILITY = ['VIEW_FULL', 'VIEW_METADATA', 'VIEW_NONE', 'VIEW_SNIPPET'] as const;
const DIGITIZATION = ['NON_DESTRUCTIVE', 'SHEETFED', 'DIGIFEED'] as const;
const ENRICH_SALT = 0xe4c4;
const DAY = 1440;

export interface EnrichmentSource {
  index: number;
  barcode: string;
  state: GrinState;
  scannedDate: string | null;
  processedDate: string | null;
  analyzedDate: string | null;
  convertedDate: string | null;
  downloadedDate: string | null;
  ocrDate: string | null;
}

/** Plausible `_barcode_search` values (reference 1.9 value domains), seeded per book. */
export function enrichmentFor(key: number, book: EnrichmentSource): Record<string, string> {
  const rng = new Rng(hash3(key, book.index, ENRICH_SALT));
  const scannedMs = book.scannedDate === null ? undefined : parseGrinDate(book.scannedDate);
  const scanned = scannedMs === undefined ? undefined : scannedMs / 60000;
  const dateAfter = (base: number | undefined, maxDays: number): string =>
    base === undefined ? '' : formatGrinMinutes(base + rng.int(maxDays * DAY));
  const checkIn = scanned === undefined ? '' : formatGrinMinutes(scanned - rng.range(1, 90) * DAY);
  const conditions = rng.chance(0.6) ? '' : Array.from({ length: rng.range(1, 3) }, () => rng.range(1, 40)).join(',');
  const viewability = rng.pick(VIEWABILITY);
  const bool = (p: number): string => (rng.chance(p) ? 'true' : 'false');
  const values: Record<(typeof BARCODE_SEARCH_COLUMNS)[number], string> = {
    Barcode: book.barcode,
    'Check-In Date': checkIn,
    State: book.state,
    Viewability: viewability,
    Conditions: conditions,
    Scannable: bool(0.9),
    'Opted-Out (post-scan)': bool(0.02),
    Tagging: bool(0.3),
    Audit: rng.chance(0.7) ? '' : `${rng.int(20)}%`,
    'Material Error%': `${rng.int(15)}%`,
    'Overall Error%': `${rng.int(25)}%`,
    'Scanned Date': book.scannedDate ?? '',
    'Processed Date': book.processedDate ?? '',
    'Analyzed Date': book.analyzedDate ?? '',
    'Converted Date': book.convertedDate ?? '',
    'Allow Download Updated Date': dateAfter(scanned, 400),
    'Viewability Updated Date': dateAfter(scanned, 800),
    'Source Library Bibkey': `99${String(hash3(key, book.index, ENRICH_SALT + 1)).padStart(10, '0')}03941`,
    Rubbish: bool(0.01),
    'Downloaded Date': book.downloadedDate ?? '',
    Claimed: bool(0.5),
    'OCR GTD Score': String(rng.int(101)),
    'OCR Analysis Score': String(rng.int(101)),
    'Digitization Method': rng.pick(DIGITIZATION),
    "OCR'd Date": book.ocrDate ?? '',
  };
  return values;
}
