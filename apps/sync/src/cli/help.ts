/** `--help` text of `pnpm run sync`. */
export const HELP = `Usage: pnpm run sync -- --run-name NAME (--queue Q [--queue Q2 ...] | --barcodes B1,B2 | --barcodes-file F) [options]

Downloads GRIN's encrypted archives, decrypts them with the library's passphrase, stores the
decrypted BARCODE.tar.gz (local disk or S3-compatible storage) and, beside the store, extracts
the MARC record (into the catalogue) and the OCR text (BARCODE_ocr.jsonl.gz in the full area),
recording every step in output/NAME/books.db. A volume counts as synced only after its archive
is stored and verified AND every enabled extraction succeeded (a volume without MARC or without
page text is recorded as such and still synced). Rerunning resumes: volumes whose stored archive
carries GRIN's current ETag are skipped; a stored volume whose extraction never completed is
read back from storage (not downloaded again).

Selection (exactly one kind):
  --queue converted          every barcode on GRIN's _converted listing
  --queue previous           catalogue books in state PREVIOUSLY_DOWNLOADED, never requested,
                             minus GRIN's _in_process and _failed lists
  --queue unconverted        catalogue books never requested and not converted
                             (repeat --queue to run several, in the order given)
  --barcodes B1,B2,...       these barcodes
  --barcodes-file F          one barcode per line (# comments, blank lines ignored); - = stdin
  --limit N                  stop selecting after N barcodes (per queue)
  --force                    download again even when storage holds GRIN's ETag; request
                             conversion again for books on GRIN's _failed list
  --skip-synced              skip volumes recorded as synced whose archive storage holds,
                             without asking GRIN (no HEAD per stored volume: a rerun over
                             10^6 synced volumes otherwise spends ~55 h of GRIN's 5 requests/s);
                             an archive GRIN re-converted since (new ETag) is not noticed

Conversion requests (previous / unconverted queues): every selected volume is checked (HEAD);
one GRIN does not have (404) gets a conversion request (_process, batched), classified and
recorded with a timestamp. GRIN queues at most 50,000 books: the run counts _in_process plus its
own requests and stops requesting at the limit, and after a 429 ("queue full") it requests
nothing more but keeps syncing what is available.
  --conversion-queue-limit N GRIN's queue limit as counted here (default 50,000; lower it to
                             leave room for other tools)

Extraction (beside the store, one pass over the decrypted stream, nothing unpacked to disk):
  --skip-extract-marc        do not extract MARC into the catalogue
  --skip-extract-ocr         do not store the OCR JSONL
  --skip-compression-full    store BARCODE_ocr.jsonl uncompressed (default gzip)

Teardown (every run except --dry-run, also after Ctrl-C and after the failure stop):
output/NAME/books_export.csv, a database backup and output/NAME/process_summary.json, with
copies in the meta area (meta/NAME/ locally, the meta bucket under NAME/ on S3).
  --skip-csv-export          no CSV export
  --skip-database-backup     no database backup (neither at start nor in the meta area)
  --skip-compression-meta    store the CSV copy uncompressed

Storage (recorded in output/NAME/run_config.json on first use, reused later unless given again):
  --storage local --storage-path DIR
                             DIR/raw/B/B.tar.gz (+ B.tar.gz.meta.json with the encrypted ETag)
  --storage s3 --bucket-raw B [--bucket-full B] [--bucket-meta B] [--endpoint URL] --region R [--path-style]
                             key RUN/B.tar.gz, metadata encrypted_etag; full/meta default to the raw bucket
  --access-key-id ID --secret-access-key KEY
                             or env AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (never recorded)

GRIN (library directory recorded in run_config.json):
  --library-directory DIR    e.g. Harvard
  --grin-url URL             default https://books.google.com/libraries/
  --credentials-dir DIR      default $GRIN_CREDENTIALS_DIR or ~/.config/grin
  --passphrase-file F        default CREDENTIALS_DIR/gpg_passphrase.asc
  --requests-per-second N    GRIN request rate limit (default 5; with --simulate 200)
  --allow-legacy-without-integrity
                             accept GnuPG 1.x archives (64-bit ciphers: CAST5, IDEA, 3DES,
                             Blowfish) without integrity packet; recorded in the catalogue

Pipeline:
  --download-concurrency N   concurrent GRIN downloads (default 5, GRIN's per-account limit)
  --workers N                processing workers: decrypt, store, verify (default downloads + 2)
  --max-consecutive-failures N
                             stop after N volumes failed in a row (default 10; exit 8)

Other:
  --dry-run                  show what would be done; writes nothing, takes no lock
  --progress MODE            tty | plain | json | off (default: $GRIN_PROGRESS, else tty on a
                             terminal, plain in logs and CI)
  --simulate                 run against an in-process GRIN simulator (storage defaults to
                             output/NAME/storage); --simulate-books N sets its library size (100)
  --help                     this text

Progress: "downloads a/b" = GRIN downloads in flight / limit; "processing" = volumes being
decrypted, stored and verified; "waiting to download" = selected barcodes not downloading yet (queued or being checked);
"waiting to be processed" = checked volumes waiting for a processing worker. The ETA is by bytes
once sizes are known: "sizes known n/m" = volumes whose archive size is known from a HEAD or a
started download, of those selected; unchecked volumes are estimated at the average so far.

Exit codes: 0 done, 1 some volumes failed or the teardown failed, 2 usage, 3 configuration (library, credentials,
passphrase, storage), 4 GRIN refused access, 5 run in use by another process, 6 catalogue
unreadable, 7 GRIN or storage unreachable, 8 stopped after too many consecutive failures,
130 interrupted (Ctrl-C; rerun to resume).
`;
