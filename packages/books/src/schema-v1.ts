/**
 * Schema version 1. Frozen: once released, a migration's SQL never changes; later schema changes
 * are new migrations. Columns of `books` follow reference 3.2 in the reference's order, then this
 * tool's additions (see book-columns.ts).
 */
export const SCHEMA_V1 = `
CREATE TABLE books (
  barcode TEXT PRIMARY KEY NOT NULL CHECK (length(barcode) > 0),
  title TEXT,
  scanned_date TEXT,
  converted_date TEXT,
  downloaded_date TEXT,
  processed_date TEXT,
  analyzed_date TEXT,
  ocr_date TEXT,
  google_books_link TEXT,
  processing_request_timestamp TEXT,
  grin_state TEXT,
  grin_viewability TEXT,
  grin_opted_out TEXT,
  grin_conditions TEXT,
  grin_scannable TEXT,
  grin_tagging TEXT,
  grin_audit TEXT,
  grin_material_error_percent TEXT,
  grin_overall_error_percent TEXT,
  grin_claimed TEXT,
  grin_ocr_analysis_score TEXT,
  grin_ocr_gtd_score TEXT,
  grin_digitization_method TEXT,
  grin_check_in_date TEXT,
  grin_source_library_bibkey TEXT,
  grin_rubbish TEXT,
  grin_allow_download_updated_date TEXT,
  grin_viewability_updated_date TEXT,
  enrichment_timestamp TEXT,
  marc_control_number TEXT,
  marc_date_type TEXT,
  marc_date_1 TEXT,
  marc_date_2 TEXT,
  marc_language TEXT,
  marc_lccn TEXT,
  marc_lc_call_number TEXT,
  marc_isbn TEXT,
  marc_oclc_numbers TEXT,
  marc_title TEXT,
  marc_title_remainder TEXT,
  marc_author_personal TEXT,
  marc_author_corporate TEXT,
  marc_author_meeting TEXT,
  marc_subjects TEXT,
  marc_genres TEXT,
  marc_general_note TEXT,
  marc_extraction_timestamp TEXT,
  storage_path TEXT,
  last_etag_check TEXT,
  encrypted_etag TEXT,
  is_decrypted INTEGER NOT NULL DEFAULT 0 CHECK (is_decrypted IN (0, 1)),
  sync_timestamp TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  encrypted_size INTEGER,
  sync_status TEXT,
  sync_error TEXT
);

-- previous queue (grin_state = 'PREVIOUSLY_DOWNLOADED'), counts per state.
CREATE INDEX idx_books_grin_state ON books (grin_state);
-- Synced volumes; partial so the collector's inserts (never synced) pay nothing for it.
CREATE INDEX idx_books_synced ON books (sync_timestamp) WHERE sync_timestamp IS NOT NULL;

CREATE TABLE run_sessions (
  id INTEGER PRIMARY KEY,
  stage TEXT NOT NULL,
  started_at TEXT NOT NULL,
  ended_at TEXT,
  updated_at TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'running'
    CHECK (status IN ('running', 'completed', 'interrupted', 'failed')),
  runtime_seconds REAL NOT NULL DEFAULT 0,
  pid INTEGER,
  user TEXT,
  host TEXT,
  node_version TEXT,
  args TEXT,
  config_hash TEXT,
  counts TEXT NOT NULL DEFAULT '{}',
  bytes INTEGER NOT NULL DEFAULT 0,
  error TEXT
);
CREATE INDEX idx_run_sessions_stage ON run_sessions (stage, id);

CREATE TABLE book_status_history (
  id INTEGER PRIMARY KEY,
  barcode TEXT NOT NULL REFERENCES books (barcode),
  status_type TEXT NOT NULL,
  status_value TEXT NOT NULL,
  timestamp TEXT NOT NULL,
  session_id INTEGER REFERENCES run_sessions (id),
  metadata TEXT
);
-- "latest status of type T for barcode B" and the queue exclusions (NOT EXISTS per barcode).
CREATE INDEX idx_status_history_barcode_type_time
  ON book_status_history (barcode, status_type, timestamp);

CREATE TABLE listing_cursor (
  list TEXT PRIMARY KEY NOT NULL,
  page_number INTEGER NOT NULL DEFAULT 0,
  page_url TEXT,
  next_url TEXT,
  page_size INTEGER,
  rows_seen INTEGER NOT NULL DEFAULT 0,
  pages_stored INTEGER NOT NULL DEFAULT 0,
  rows_inserted INTEGER NOT NULL DEFAULT 0,
  rows_updated INTEGER NOT NULL DEFAULT 0,
  rows_unchanged INTEGER NOT NULL DEFAULT 0,
  rows_without_barcode INTEGER NOT NULL DEFAULT 0,
  started_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  completed_at TEXT,
  total_rows_last_walk INTEGER
);

CREATE TABLE run_metadata (
  key TEXT PRIMARY KEY NOT NULL,
  value TEXT,
  updated_at TEXT NOT NULL
);
`;
