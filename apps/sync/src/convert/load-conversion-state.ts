import type { FailedConversion, GrinClient } from '@grin/client';
import type { GrinConversionState } from './conversion-types.js';

export interface LoadConversionStateOptions {
  signal?: AbortSignal;
  /** Where `_failed` is read from: the HTML listing (default, the client's default) or `?format=text`. */
  failedListSource?: 'html' | 'text';
}

/**
 * Reads GRIN's `_in_process` list (streamed into a Set; GRIN caps it at 50,000) and its `_failed`
 * list, once at the start of a run that may request conversions.
 *
 * `_in_process` is required: without it the queue cap cannot be counted, so its error (a typed
 * @grin/client error) is thrown. A `_failed` error is returned in `failedListError` with an empty
 * map, as the reference tool does (warning, go on): the pipeline should log it.
 */
export async function loadConversionState(
  client: Pick<GrinClient, 'textList' | 'failedList'>,
  options: LoadConversionStateOptions = {},
): Promise<GrinConversionState> {
  const signalOpt = options.signal === undefined ? {} : { signal: options.signal };
  const inProcess = new Set<string>();
  for await (const barcode of client.textList('_in_process', signalOpt)) inProcess.add(barcode);

  const failed = new Map<string, FailedConversion>();
  let failedListError: Error | null = null;
  try {
    const source = options.failedListSource === undefined ? {} : { source: options.failedListSource };
    for await (const entry of client.failedList({ ...signalOpt, ...source })) {
      if (!failed.has(entry.barcode)) failed.set(entry.barcode, entry);
    }
  } catch (error) {
    if (options.signal?.aborted) throw error;
    failed.clear();
    failedListError = error instanceof Error ? error : new Error(String(error));
  }
  return { inProcess, failed, failedListError };
}
