import type { ClientContext } from './client-context.js';
import { QueueFullError } from './errors.js';
import { readText } from './http/body.js';
import { withRetry } from './http/retry.js';
import type { ConversionOutcome, ConversionResult, RequestConversionOptions } from './types.js';

export const DEFAULT_CONVERSION_BATCH = 200;

/** Reference 1.8 classification of a `_process` status text (case-insensitive). */
export function classifyConversionStatus(status: string): ConversionOutcome {
  const s = status.trim().toLowerCase();
  if (s === 'success') return 'requested';
  if (s.includes('already') && s.includes('available for download')) return 'already_available';
  if (s.includes('already') && s.includes('process')) return 'already_in_process';
  return 'unavailable';
}

/** Parses the `Barcode\tStatus` TSV answer into barcode -> status. */
export function parseConversionTsv(text: string): Map<string, string> {
  const statuses = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] as string;
    if (line.trim() === '') continue;
    const tab = line.indexOf('\t');
    const barcode = (tab >= 0 ? line.slice(0, tab) : line).trim();
    const status = tab >= 0 ? line.slice(tab + 1).trim() : '';
    if (i === 0 && barcode.toLowerCase() === 'barcode') continue; // header
    if (barcode !== '' && !statuses.has(barcode)) statuses.set(barcode, status);
  }
  return statuses;
}

/**
 * Requests conversion of `barcodes` (comma-separated, `batchSize` per request, in order).
 * A 429 means GRIN's queue is full: QueueFullError, never retried, carrying the results of the
 * batches already accepted.
 */
export async function requestConversion(
  ctx: ClientContext,
  barcodes: string[],
  opts: RequestConversionOptions = {},
): Promise<ConversionResult[]> {
  const batchSize = Math.max(1, opts.batchSize ?? DEFAULT_CONVERSION_BATCH);
  const { signal } = opts;
  const results: ConversionResult[] = [];
  for (let start = 0; start < barcodes.length; start += batchSize) {
    const batch = barcodes.slice(start, start + batchSize);
    const url = new URL(`_process?barcodes=${batch.map(encodeURIComponent).join(',')}`, ctx.libraryUrl).toString();
    let text: string;
    try {
      text = await withRetry(ctx.retry, url, signal, async () => {
        const response = await ctx.transport.send(url, { signal, queueFullOn429: true });
        return readText(response.body, url, signal);
      });
    } catch (error) {
      if (error instanceof QueueFullError) {
        throw new QueueFullError(error.message, { status: 429, url, cause: error, partialResults: results });
      }
      throw error;
    }
    const statuses = parseConversionTsv(text);
    for (const barcode of batch) {
      const status = statuses.get(barcode);
      results.push(
        status === undefined
          ? { barcode, status: '', outcome: 'missing' }
          : { barcode, status, outcome: classifyConversionStatus(status) },
      );
    }
  }
  return results;
}
