import type { ClientContext } from './client-context.js';
import { GrinError } from './errors.js';
import { discardBody, readLines } from './http/body.js';
import { announceAndWait, retryDelay } from './http/retry.js';
import { abortReason } from './http/sleep.js';
import type { SignalOptions } from './types.js';

const ARCHIVE_SUFFIX = '.tar.gz.gpg';

/** The barcode of a text-list line: first tab field, trimmed, `.tar.gz.gpg` removed; null if empty. */
export function lineToBarcode(line: string): string | null {
  const tab = line.indexOf('\t');
  let field = (tab >= 0 ? line.slice(0, tab) : line).trim();
  const suffix = field.indexOf(ARCHIVE_SUFFIX);
  if (suffix >= 0) field = field.slice(0, suffix).trim();
  return field === '' ? null : field;
}

/** URL of a `?format=text` list. */
export function textListUrl(libraryUrl: string, list: string): string {
  return new URL(`${encodeURIComponent(list)}?format=text`, libraryUrl).toString();
}

/**
 * Streams the raw lines of a `?format=text` list. Failures are retried while no line has been
 * handed out yet; later a failure surfaces (a transparent restart could duplicate or skip lines).
 */
export async function* textListLines(ctx: ClientContext, list: string, opts: SignalOptions = {}): AsyncGenerator<string> {
  const url = textListUrl(ctx.libraryUrl, list);
  const { signal } = opts;
  for (let attempt = 1; ; attempt += 1) {
    let yielded = 0;
    try {
      const response = await ctx.transport.send(url, { signal });
      try {
        for await (const line of readLines(response.body, url, signal)) {
          yielded += 1;
          yield line;
        }
      } finally {
        discardBody(response.body);
      }
      return;
    } catch (error) {
      if (signal?.aborted) throw abortReason(signal);
      const delayMs = yielded === 0 ? retryDelay(ctx.retry, error, attempt) : null;
      if (delayMs === null) throw error;
      await announceAndWait(ctx.retry, url, error as GrinError, attempt, delayMs, signal);
    }
  }
}

/** Barcodes of a `?format=text` list, streamed line by line. */
export async function* textList(ctx: ClientContext, list: string, opts: SignalOptions = {}): AsyncGenerator<string> {
  for await (const line of textListLines(ctx, list, opts)) {
    const barcode = lineToBarcode(line);
    if (barcode !== null) yield barcode;
  }
}
