/** GRIN book states as they appear in the Status/State column. */
export type GrinState =
  | 'CHECKED_IN'
  | 'CONVERTED'
  | 'PREVIOUSLY_DOWNLOADED'
  | 'NOT_AVAILABLE_FOR_DOWNLOAD'
  | 'NEW'
  | 'IN_PROCESS';

/** The HTML listings the simulator serves (`_in_process` is an extra, laid out like `_all_books`). */
export type ListName = '_all_books' | '_converted' | '_failed' | '_in_process';

export interface ConversionFailure {
  /** GRIN format `YYYY/MM/DD HH:MM`. */
  date: string;
  info: string;
  detailedInfo: string;
}

/** One volume of the simulated library: the truth the served pages are rendered from. */
export interface SimulatedBook {
  index: number;
  barcode: string;
  /** '' for NOT_AVAILABLE_FOR_DOWNLOAD; otherwise may contain non-ASCII, quotes, commas, `&`, `<`. */
  title: string;
  /** Current state (reflects `_process` calls and completed conversions). */
  state: GrinState;
  scannedDate: string | null;
  analyzedDate: string | null;
  convertedDate: string | null;
  downloadedDate: string | null;
  processedDate: string | null;
  ocrDate: string | null;
  /** 'https://books.google.com/books?id=...' */
  googleBooksLink: string;
  /** True when the archive can be fetched (listed on `_converted`, HEAD 200). */
  archiveAvailable: boolean;
  /** Non-null for books listed on `_failed`. */
  conversionFailure: ConversionFailure | null;
  /** `_barcode_search` TSV columns by header name (including `Barcode`). */
  enrichment: Record<string, string>;
}

export interface CurrentBookState {
  state: GrinState;
  archiveAvailable: boolean;
  inProcess: boolean;
  failed: boolean;
}

export interface MarcSubfield {
  code: string;
  value: string;
}

export interface MarcDatafield {
  tag: string;
  ind1: string;
  ind2: string;
  subfields: MarcSubfield[];
}

export interface MarcRecord {
  leader: string;
  controlfields: Record<string, string>;
  datafields: MarcDatafield[];
}

export interface ArchiveEntry {
  path: string;
  size: number;
}

/** What a generated archive contains, for tests to compare the client's results with. */
export interface ArchiveTruth {
  barcode: string;
  /** Cached `BARCODE.tar.gz.gpg`. */
  encryptedPath: string;
  /** Cached `BARCODE.tar.gz` (the plaintext gpg restores). */
  plaintextPath: string;
  /** md5 hex of the encrypted file, without quotes (served quoted). */
  etag: string;
  encryptedSize: number;
  plaintextSize: number;
  plaintextSha256: string;
  /** 'AES256' normally, 'CAST5' for the seeded legacy fraction. */
  cipher: 'AES256' | 'CAST5';
  /** Tar entries in order. */
  entries: ArchiveEntry[];
  marcRecord: MarcRecord;
  /** Catalogue columns `marc_*` (without `marc_extraction_timestamp`) per reference 6.3, 999-quirk fixed. */
  expectedMarc: Record<string, string | null>;
  /** Page 1..N OCR text in order; '' for a missing page number. */
  ocrPages: string[];
}

/** The library: derived on demand from (seed, index), never materialised. */
export interface SimulatedLibrary {
  readonly size: number;
  readonly seed: number;
  /** O(1). Throws a SimulatorError (code UNKNOWN_BOOK) outside 0..size-1. */
  book(index: number): SimulatedBook;
  /** O(1) through the invertible barcode mapping. */
  byBarcode(barcode: string): SimulatedBook | undefined;
  /** Books of a list in page order, as the list is at the time of the call. */
  listing(list: ListName): Iterable<SimulatedBook>;
  /** Number of books currently on a list. */
  listSize(list: ListName): number;
  /** State after `_process` calls. Throws a SimulatorError (code UNKNOWN_BARCODE) for unknown barcodes. */
  currentState(barcode: string): CurrentBookState;
  /** Generates (once, shared by concurrent callers) and caches the archive. */
  archive(barcode: string): Promise<ArchiveTruth>;
}
