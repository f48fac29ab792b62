import type { ClientContext } from './client-context.js';
import { grinDateToIso } from './listing/grin-date.js';
import { listPages } from './listing/list-pages.js';
import { lineToBarcode, textListLines } from './text-list.js';
import type { FailedConversion, FailedListOptions, ListingRow } from './types.js';

/** Maps a `_failed` listing row (keys `convert_failed_date`, `convert_failed_info`, `detailed_convert_failed_info`). */
export function failedFromRow(row: ListingRow): FailedConversion {
  let failedDate: string | null = null;
  let info: string | null = null;
  let detailedInfo: string | null = null;
  const extra: Record<string, string> = {};
  for (const [key, value] of Object.entries(row.extra)) {
    if (key.includes('detail') && detailedInfo === null) detailedInfo = value;
    else if (key.includes('fail') && key.includes('date') && failedDate === null) failedDate = grinDateToIso(value);
    else if (key.includes('info') && info === null) info = value;
    else extra[key] = value;
  }
  return { barcode: row.barcode, failedDate, info, detailedInfo, extra };
}

/** Parses a `_failed?format=text` line: `BARCODE\tdate\tinfo[\tdetailed]`. */
export function failedFromLine(line: string): FailedConversion | null {
  const barcode = lineToBarcode(line);
  if (barcode === null) return null;
  const fields = line.split('\t').map((f) => f.trim());
  const text = (i: number): string | null => {
    const v = fields[i];
    return v === undefined || v === '' ? null : v;
  };
  return { barcode, failedDate: grinDateToIso(text(1)), info: text(2), detailedInfo: text(3), extra: {} };
}

/** GRIN's failed conversions, from `_failed?result_count=-1` (HTML, default) or `_failed?format=text`. */
export async function* failedList(ctx: ClientContext, opts: FailedListOptions = {}): AsyncGenerator<FailedConversion> {
  const signalOpt = opts.signal ? { signal: opts.signal } : {};
  if (opts.source === 'text') {
    for await (const line of textListLines(ctx, '_failed', signalOpt)) {
      const failed = failedFromLine(line);
      if (failed !== null) yield failed;
    }
    return;
  }
  for await (const page of listPages(ctx, '_failed', { pageSize: -1, ...signalOpt }, true)) {
    for (const row of page.rows) yield failedFromRow(row);
  }
}
