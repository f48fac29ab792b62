/** `--help` text of `pnpm run sync`. */
export const HELP = `Usage: pnpm run sync -- --run-name NAME (--queue converted | --barcodes B1,B2 | --barcodes-file F) [options]

Downloads GRIN's encrypted archives, decrypts them with the library's passphrase and stores the
decrypted BARCODE.tar.gz (local disk or S3-compatible storage), recording every step in
output/NAME/books.db. A volume counts as synced only after its archive is stored and verified.
Rerunning resumes: volumes whose stored archive carries GRIN's current ETag are skipped.

Selection (exactly one):
  --queue converted          every barcode on GRIN's _converted listing
  --barcodes B1,B2,...       these barcodes
  --barcodes-file F          one barcode per line (# comments, blank lines ignored); - = stdin
  --limit N                  stop selecting after N barcodes
  --force                    download again even when storage holds GRIN's ETag

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
                             accept GnuPG 1.x (CAST5) archives without integrity packet

Pipeline:
  --download-concurrency N   concurrent GRIN downloads (default 5, GRIN's per-account limit)
  --workers N                processing workers: decrypt, store, verify (default downloads + 2)
  --max-consecutive-failures N
                             stop after N volumes failed in a row (default 10; exit 8)

Other:
  --dry-run                  show what would be done; writes nothing, takes no lock
  --progress MODE            tty | plain | json | off (default: tty on a terminal, else plain)
  --simulate                 run against an in-process GRIN simulator (storage defaults to
                             output/NAME/storage); --simulate-books N sets its library size (100)
  --help                     this text

Progress: "downloads a/b" = GRIN downloads in flight / limit; "processing" = volumes being
decrypted, stored and verified; "waiting to download" = selected barcodes not downloading yet (queued or being checked);
"waiting to be processed" = checked volumes waiting for a processing worker. The ETA is by bytes
once sizes are known: "sizes known n/m" = volumes whose archive size is known from a HEAD or a
started download, of those selected; unchecked volumes are estimated at the average so far.

Exit codes: 0 done, 1 some volumes failed, 2 usage, 3 configuration (library, credentials,
passphrase, storage), 4 GRIN refused access, 5 run in use by another process, 6 catalogue
unreadable, 7 GRIN or storage unreachable, 8 stopped after too many consecutive failures,
130 interrupted (Ctrl-C; rerun to resume).
`;
