import type { ClientContext } from './client-context.js';
import { ConfigError } from './errors.js';
import { readText } from './http/body.js';
import { withRetry } from './http/retry.js';
import { abortReason } from './http/sleep.js';
import { grinDateToIso } from './listing/grin-date.js';
import { normaliseHeaderKey } from './listing/header-key.js';
import type { BarcodeSearchOptions, EnrichmentColumn, EnrichmentRecord } from './types.js';

export const MAX_ENRICHMENT_URL_LENGTH = 7_500;

/** Reference 1.9: GRIN header name -> catalogue column; `true` = a GRIN date converted to ISO. */
const COLUMN_MAP: ReadonlyArray<readonly [string, EnrichmentColumn, boolean]> = [
  ['Scanned Date', 'scanned_date', true],
  ['Converted Date', 'converted_date', true],
  ['Downloaded Date', 'downloaded_date', true],
  ['Processed Date', 'processed_date', true],
  ['Analyzed Date', 'analyzed_date', true],
  ["OCR'd Date", 'ocr_date', true],
  ['State', 'grin_state', false],
  ['Viewability', 'grin_viewability', false],
  ['Opted-Out (post-scan)', 'grin_opted_out', false],
  ['Conditions', 'grin_conditions', false],
  ['Scannable', 'grin_scannable', false],
  ['Tagging', 'grin_tagging', false],
  ['Audit', 'grin_audit', false],
  ['Material Error%', 'grin_material_error_percent', false],
  ['Overall Error%', 'grin_overall_error_percent', false],
  ['Claimed', 'grin_claimed', false],
  ['OCR Analysis Score', 'grin_ocr_analysis_score', false],
  ['OCR GTD Score', 'grin_ocr_gtd_score', false],
  ['Digitization Method', 'grin_digitization_method', false],
  ['Check-In Date', 'grin_check_in_date', true],
  ['Source Library Bibkey', 'grin_source_library_bibkey', false],
  ['Rubbish', 'grin_rubbish', false],
  ['Allow Download Updated Date', 'grin_allow_download_updated_date', true],
  ['Viewability Updated Date', 'grin_viewability_updated_date', true],
];
const BY_KEY = new Map(COLUMN_MAP.map(([header, column, isDate]) => [normaliseHeaderKey(header), { column, isDate }]));

/** URL prefix of a `_barcode_search` query; barcodes are appended joined by `%20`. */
export function barcodeSearchPrefix(libraryUrl: string): string {
  return new URL('_barcode_search?execute_query=true&format=text&mode=full&barcodes=', libraryUrl).toString();
}

/** Splits barcodes into batches whose full URL stays within `maxUrlLength` characters. */
export function* batchBarcodes(barcodes: Iterable<string>, prefix: string, maxUrlLength: number): Generator<string[]> {
  let batch: string[] = [];
  let length = prefix.length;
  for (const barcode of barcodes) {
    const encoded = encodeURIComponent(barcode).length;
    if (prefix.length + encoded > maxUrlLength) {
      throw new ConfigError(`Barcode ${barcode.slice(0, 40)}… is too long for a _barcode_search URL.`);
    }
    const added = batch.length === 0 ? encoded : 3 + encoded; // '%20' separator
    if (batch.length > 0 && length + added > maxUrlLength) {
      yield batch;
      batch = [];
      length = prefix.length;
    }
    length += batch.length === 0 ? encoded : 3 + encoded;
    batch.push(barcode);
  }
  if (batch.length > 0) yield batch;
}

/** Parses the `_barcode_search` TSV (header row first; short lines padded, extra fields dropped). */
export function parseEnrichmentTsv(text: string): EnrichmentRecord[] {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const header = lines[0]?.split('\t').map((h) => h.trim());
  if (header === undefined) return [];
  const mapped = header.map((name) => BY_KEY.get(normaliseHeaderKey(name)));
  const records: EnrichmentRecord[] = [];
  for (const line of lines.slice(1)) {
    const fields = line.split('\t');
    const barcode = (fields[0] ?? '').trim();
    if (barcode === '') continue;
    const values: Record<string, string> = {};
    const columns: Partial<Record<EnrichmentColumn, string | null>> = {};
    header.forEach((name, i) => {
      const value = (fields[i] ?? '').trim();
      values[name] = value;
      const target = mapped[i];
      if (target) columns[target.column] = value === '' ? null : target.isDate ? grinDateToIso(value) : value;
    });
    records.push({ barcode, values, columns });
  }
  return records;
}

/**
 * `_barcode_search` enrichment for any number of barcodes: batched by URL length, up to
 * `concurrency` batches in flight, records yielded in batch order. A batch that still fails
 * after the retries ends the iteration with its error (nothing is silently marked done).
 */
export async function* barcodeSearch(
  ctx: ClientContext,
  barcodes: Iterable<string>,
  opts: BarcodeSearchOptions = {},
): AsyncGenerator<EnrichmentRecord> {
  const prefix = barcodeSearchPrefix(ctx.libraryUrl);
  const batches = batchBarcodes(barcodes, prefix, opts.maxUrlLength ?? MAX_ENRICHMENT_URL_LENGTH);
  const concurrency = Math.max(1, opts.concurrency ?? ctx.concurrency);
  const controller = new AbortController();
  const outer = opts.signal;
  const onAbort = (): void => controller.abort(outer?.reason);
  if (outer?.aborted) throw abortReason(outer);
  outer?.addEventListener('abort', onAbort, { once: true });
  const signal = controller.signal;

  const fetchBatch = (batch: string[]): Promise<EnrichmentRecord[]> => {
    const url = prefix + batch.map(encodeURIComponent).join('%20');
    const promise = withRetry(ctx.retry, url, signal, async () => {
      const response = await ctx.transport.send(url, { signal });
      return parseEnrichmentTsv(await readText(response.body, url, signal));
    });
    promise.catch(() => undefined); // reported when its turn comes
    return promise;
  };

  const inFlight: Promise<EnrichmentRecord[]>[] = [];
  try {
    for (;;) {
      while (inFlight.length < concurrency) {
        const next = batches.next();
        if (next.done) break;
        inFlight.push(fetchBatch(next.value));
      }
      const head = inFlight.shift();
      if (head === undefined) return;
      yield* await head;
    }
  } finally {
    outer?.removeEventListener('abort', onAbort);
    if (inFlight.length > 0) {
      controller.abort();
      await Promise.allSettled(inFlight);
    }
  }
}
