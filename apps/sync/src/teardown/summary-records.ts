import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { isoTimestamp, writeProcessSummary } from '@grin/books';
import { abortedItem, uploadMeta } from './meta-upload.js';
import { buildRunSummary, type RunSummary } from './run-summary.js';
import { itemError } from './teardown-errors.js';
import type { TeardownCatalogue, TeardownItem, TeardownStorage } from './teardown-types.js';

/** Name of the run summary in the run directory (reference 9.3). */
export const PROCESS_SUMMARY_FILE = 'process_summary.json';

export interface SummaryStepInput {
  catalogue: TeardownCatalogue;
  storage: TeardownStorage | null;
  runName: string;
  runDir: string;
  now: () => Date;
  /** Items already done, recorded in the summary's `teardown` section. */
  before: readonly TeardownItem[];
  signal: AbortSignal | undefined;
}

/** `output/RUN/process_summary.json` (atomic) and its meta copy `process_summary.json.gz`. */
export async function summaryRecords(input: SummaryStepInput): Promise<{ items: TeardownItem[]; summary: RunSummary | null }> {
  const { signal } = input;
  if (signal?.aborted) return { items: [abortedItem('process_summary'), abortedItem('process_summary_upload')], summary: null };
  const path = join(input.runDir, PROCESS_SUMMARY_FILE);
  let summary: RunSummary;
  let json: string;
  try {
    summary = buildRunSummary(input.runName, input.catalogue.listSessions(), isoTimestamp(input.now()), input.before);
    // @grin/books' ProcessSummary plus the `teardown` section; its writer serialises all of it.
    await writeProcessSummary(path, summary);
    json = `${JSON.stringify(summary, null, 2)}\n`;
  } catch (error) {
    return {
      items: [
        { name: 'process_summary', ok: false, error: itemError(error) },
        input.storage === null ? { name: 'process_summary_upload', ok: true, skipped: 'no_storage' } : { name: 'process_summary_upload', ok: false, error: itemError(error) },
      ],
      summary: null,
    };
  }
  const local: TeardownItem = { name: 'process_summary', ok: true, location: path, bytes: Buffer.byteLength(json) };
  if (input.storage === null) return { items: [local, { name: 'process_summary_upload', ok: true, skipped: 'no_storage' }], summary };
  const upload = await uploadMeta(
    input.storage,
    { item: 'process_summary_upload', name: 'process_summary.json.gz', source: { bytes: gzipSync(json) } },
    signal,
  );
  return { items: [local, upload], summary };
}
