/**
 * The `books` table's columns in schema order, with the human CSV headers of reference 5.12.
 * The first 54 are exactly the reference tool's columns (same order); the last three are
 * additions of this tool (see `EXTRA_BOOK_COLUMNS`), appended so the reference CSV layout is a
 * prefix of ours. A test checks this list against `PRAGMA table_info(books)`.
 */
export const BOOK_COLUMNS = [
  { name: 'barcode', header: 'Barcode', type: 'text' },
  { name: 'title', header: 'Title', type: 'text' },
  { name: 'scanned_date', header: 'Scanned Date', type: 'text' },
  { name: 'converted_date', header: 'Converted Date', type: 'text' },
  { name: 'downloaded_date', header: 'Downloaded Date', type: 'text' },
  { name: 'processed_date', header: 'Processed Date', type: 'text' },
  { name: 'analyzed_date', header: 'Analyzed Date', type: 'text' },
  { name: 'ocr_date', header: 'OCR Date', type: 'text' },
  { name: 'google_books_link', header: 'Google Books Link', type: 'text' },
  { name: 'processing_request_timestamp', header: 'Processing Request Timestamp', type: 'text' },
  { name: 'grin_state', header: 'GRIN State', type: 'text' },
  { name: 'grin_viewability', header: 'GRIN Viewability', type: 'text' },
  { name: 'grin_opted_out', header: 'GRIN Opted Out', type: 'text' },
  { name: 'grin_conditions', header: 'GRIN Conditions', type: 'text' },
  { name: 'grin_scannable', header: 'GRIN Scannable', type: 'text' },
  { name: 'grin_tagging', header: 'GRIN Tagging', type: 'text' },
  { name: 'grin_audit', header: 'GRIN Audit', type: 'text' },
  { name: 'grin_material_error_percent', header: 'GRIN Material Error %', type: 'text' },
  { name: 'grin_overall_error_percent', header: 'GRIN Overall Error %', type: 'text' },
  { name: 'grin_claimed', header: 'GRIN Claimed', type: 'text' },
  { name: 'grin_ocr_analysis_score', header: 'GRIN OCR Analysis Score', type: 'text' },
  { name: 'grin_ocr_gtd_score', header: 'GRIN OCR GTD Score', type: 'text' },
  { name: 'grin_digitization_method', header: 'GRIN Digitization Method', type: 'text' },
  { name: 'grin_check_in_date', header: 'GRIN Check-In Date', type: 'text' },
  { name: 'grin_source_library_bibkey', header: 'GRIN Source Library Bibkey', type: 'text' },
  { name: 'grin_rubbish', header: 'GRIN Rubbish', type: 'text' },
  { name: 'grin_allow_download_updated_date', header: 'GRIN Allow Download Updated Date', type: 'text' },
  { name: 'grin_viewability_updated_date', header: 'GRIN Viewability Updated Date', type: 'text' },
  { name: 'enrichment_timestamp', header: 'Enrichment Timestamp', type: 'text' },
  { name: 'marc_control_number', header: 'MARC Control Number', type: 'text' },
  { name: 'marc_date_type', header: 'MARC Date Type', type: 'text' },
  { name: 'marc_date_1', header: 'MARC Date 1', type: 'text' },
  { name: 'marc_date_2', header: 'MARC Date 2', type: 'text' },
  { name: 'marc_language', header: 'MARC Language', type: 'text' },
  { name: 'marc_lccn', header: 'MARC LCCN', type: 'text' },
  { name: 'marc_lc_call_number', header: 'MARC LC Call Number', type: 'text' },
  { name: 'marc_isbn', header: 'MARC ISBN', type: 'text' },
  { name: 'marc_oclc_numbers', header: 'MARC OCLC Numbers', type: 'text' },
  { name: 'marc_title', header: 'MARC Title', type: 'text' },
  { name: 'marc_title_remainder', header: 'MARC Title Remainder', type: 'text' },
  { name: 'marc_author_personal', header: 'MARC Author Personal', type: 'text' },
  { name: 'marc_author_corporate', header: 'MARC Author Corporate', type: 'text' },
  { name: 'marc_author_meeting', header: 'MARC Author Meeting', type: 'text' },
  { name: 'marc_subjects', header: 'MARC Subjects', type: 'text' },
  { name: 'marc_genres', header: 'MARC Genres', type: 'text' },
  { name: 'marc_general_note', header: 'MARC General Note', type: 'text' },
  { name: 'marc_extraction_timestamp', header: 'MARC Extraction Timestamp', type: 'text' },
  { name: 'storage_path', header: 'Storage Path', type: 'text' },
  { name: 'last_etag_check', header: 'Last ETag Check', type: 'text' },
  { name: 'encrypted_etag', header: 'Encrypted ETag', type: 'text' },
  { name: 'is_decrypted', header: 'Is Decrypted', type: 'boolean' },
  { name: 'sync_timestamp', header: 'Sync Timestamp', type: 'text' },
  { name: 'created_at', header: 'Created At', type: 'text' },
  { name: 'updated_at', header: 'Updated At', type: 'text' },
  // Additions of this tool (not in the reference schema):
  { name: 'encrypted_size', header: 'Encrypted Size', type: 'integer' },
  { name: 'sync_status', header: 'Sync Status', type: 'text' },
  { name: 'sync_error', header: 'Sync Error', type: 'text' },
] as const;

/**
 * Columns this tool adds to the reference schema:
 * - `encrypted_size` (INTEGER): byte size of the encrypted archive from the last check/download
 *   (GRIN's Content-Length), for byte-based ETAs and size verification.
 * - `sync_status` (TEXT): the last sync step recorded for the volume (`checked`, `downloaded`,
 *   `download_failed`, `synced`, ... — the `sync` status values of `book_status_history`), so the
 *   per-volume state is one column read instead of a history scan. Whether a volume *is synced* is
 *   decided by `sync_timestamp` (written only by the synced event), not by this column.
 * - `sync_error` (TEXT): the error of the last failed sync step; cleared by any later non-failure step.
 */
export const EXTRA_BOOK_COLUMNS = ['encrypted_size', 'sync_status', 'sync_error'] as const;

export type BookColumnName = (typeof BOOK_COLUMNS)[number]['name'];

type ColumnValue<T extends string> = T extends 'boolean' ? 0 | 1 : T extends 'integer' ? number | null : string | null;

/** One `books` row exactly as stored (snake_case column names; `is_decrypted` is 0/1). */
export type BookRow = {
  [C in (typeof BOOK_COLUMNS)[number] as C['name']]: C['name'] extends 'barcode' | 'created_at' | 'updated_at'
    ? string
    : ColumnValue<C['type']>;
};

/** The GRIN fields written by the collector (reference 1.5); updated by a `refresh` listing walk. */
export const GRIN_LISTING_COLUMNS = [
  'title',
  'scanned_date',
  'analyzed_date',
  'converted_date',
  'downloaded_date',
  'processed_date',
  'ocr_date',
  'google_books_link',
  'grin_state',
] as const;

/** MARC fields extracted from a volume's METS (reference 6.3), camelCase -> column. */
export const MARC_FIELD_COLUMNS = {
  controlNumber: 'marc_control_number',
  dateType: 'marc_date_type',
  date1: 'marc_date_1',
  date2: 'marc_date_2',
  language: 'marc_language',
  lccn: 'marc_lccn',
  lcCallNumber: 'marc_lc_call_number',
  isbn: 'marc_isbn',
  oclcNumbers: 'marc_oclc_numbers',
  title: 'marc_title',
  titleRemainder: 'marc_title_remainder',
  authorPersonal: 'marc_author_personal',
  authorCorporate: 'marc_author_corporate',
  authorMeeting: 'marc_author_meeting',
  subjects: 'marc_subjects',
  genres: 'marc_genres',
  generalNote: 'marc_general_note',
} as const satisfies Record<string, BookColumnName>;

/** A MARC record as extracted; absent or null fields are stored as NULL. */
export type MarcRecord = { [K in keyof typeof MARC_FIELD_COLUMNS]?: string | null };

/** Column values for `UPDATE books SET ...`; keys are validated against `BOOK_COLUMNS`. */
export type BookColumnValues = Partial<Record<BookColumnName, string | number | null>>;

const COLUMN_NAMES: ReadonlySet<string> = new Set(BOOK_COLUMNS.map((c) => c.name));

/** Whether `name` is a `books` column (guards every dynamically built statement). */
export function isBookColumn(name: string): name is BookColumnName {
  return COLUMN_NAMES.has(name);
}

/** Converts a MARC record to column values (every MARC column present, missing ones NULL). */
export function marcColumnValues(marc: MarcRecord): BookColumnValues {
  const values: BookColumnValues = {};
  for (const [field, column] of Object.entries(MARC_FIELD_COLUMNS)) {
    const value = marc[field as keyof MarcRecord];
    values[column] = value === undefined || value === '' ? null : value;
  }
  return values;
}
