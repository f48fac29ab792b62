import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openCatalogue, type Catalogue } from '@grin/books';
import type { GrinClient } from '@grin/client';
import { formatCount } from '@grin/progress';
import { describeStorage } from '../config/storage-settings.js';
import { ConversionRequester, formatQueueState, loadConversionState } from '../convert/index.js';
import { errorText } from '../stages/sync-errors.js';
import type { SyncCliOptions } from './parse-args.js';
import type { RunSettings } from './run-settings.js';
import type { PreparedSelection } from './selection.js';

const PREVIEW = 10;

/**
 * `--dry-run`: what a run would do. Reads the selection (GRIN's `_converted` listing; for the
 * previous/unconverted queues the catalogue, read-only, and GRIN's `_in_process` / `_failed`
 * lists); takes no lock, writes nothing of its own, asks storage nothing, downloads nothing and
 * requests no conversion. (Opening books.db read-only may leave SQLite's -wal/-shm files.)
 */
export async function dryRun(
  o: SyncCliOptions,
  s: RunSettings,
  runDir: string,
  selection: PreparedSelection,
  client: GrinClient,
  signal: AbortSignal,
): Promise<string> {
  const dbPath = join(runDir, 'books.db');
  const dbExists = existsSync(dbPath);
  const lines = ['Dry run: nothing is written, locked, uploaded, requested or downloaded.', `  run:         ${o.runName} (${runDir})`];
  let catalogue: Catalogue | null = null;
  let requester: ConversionRequester | null = null;
  try {
    if (selection.requestsConversions) {
      if (dbExists) catalogue = openCatalogue(dbPath, { readonly: true });
      try {
        const state = await loadConversionState(client, { signal });
        requester = new ConversionRequester({
          client: { requestConversion: () => Promise.reject(new Error('a dry run requests no conversion')) },
          events: { conversion: () => undefined },
          state,
          force: o.force,
          queueLimit: o.conversionQueueLimit,
        });
        lines.push(`  GRIN queue:  ${formatQueueState(requester.queueState()).replace(/^GRIN queue: /, '')}; ${formatCount(state.failed.size)} on _failed${state.failedListError === null ? '' : ` (unreadable: ${errorText(state.failedListError)})`}`);
      } catch (error) {
        if (signal.aborted) throw error;
        lines.push(`  GRIN queue:  cannot read _in_process (${errorText(error)}): the previous/unconverted queues would be skipped`);
      }
    }
    for (const part of selection.parts) {
      if (part.catalogueQueue !== null && (catalogue === null || requester === null)) {
        lines.push(`  selection:   ${part.describe}: ${catalogue === null ? `not available (${dbPath} does not exist: run collect first)` : 'skipped'}`);
        continue;
      }
      const first: string[] = [];
      let count = 0;
      const opened = part.open({ client, signal, catalogue, requester, log: () => {}, added: { count: 0, sample: [] }, write: false });
      for await (const barcode of opened.source) {
        count++;
        if (first.length < PREVIEW) first.push(barcode);
      }
      const left = opened.counts?.();
      lines.push(
        `  selection:   ${part.describe}: ${formatCount(count)} volume${count === 1 ? '' : 's'}${left === undefined ? '' : ` (left out: ${formatCount(left.inProcess)} in process on GRIN, ${formatCount(left.conversionFailed)} failed conversions${o.force ? '' : ' (--force requests them)'})`}`,
        `  first:       ${first.length > 0 ? first.join(', ') : '(none)'}${count > first.length ? ', ...' : ''}`,
      );
    }
  } finally {
    catalogue?.close();
  }
  const extract = [o.extractMarc ? 'MARC -> catalogue' : null, o.extractOcr ? `OCR -> full/BARCODE_ocr.jsonl${o.compressFull ? '.gz' : ''}` : null].filter((x) => x !== null);
  const teardown = [o.skipCsvExport ? null : 'books_export.csv', o.skipDatabaseBackup ? null : 'database backup', 'process_summary.json'].filter((x) => x !== null);
  lines.push(
    `  GRIN:        library ${s.libraryDirectory} at ${s.grinUrl ?? 'https://books.google.com/libraries/'} (${s.requestsPerSecond} requests/s)`,
    `  storage:     ${describeStorage(s.storage, o.runName)}`,
    `  concurrency: ${s.downloadConcurrency} downloads, ${s.workers} processing workers, stop after ${o.maxConsecutiveFailures} consecutive failures`,
    `  catalogue:   ${dbPath}${dbExists ? '' : ' (does not exist yet)'}`,
    `  extract:     ${extract.length > 0 ? extract.join(', ') : 'nothing (--skip-extract-marc --skip-extract-ocr)'}`,
    `  would:       check each volume (storage metadata + a GRIN HEAD when stored${selection.requestsConversions ? '; every volume of the previous/unconverted queues' : ''})${o.force ? ', download all again (--force)' : o.skipSynced ? ', skip those recorded as synced and held by storage without asking GRIN (--skip-synced)' : ", skip those stored with GRIN's current ETag"}, download, decrypt, store, verify, extract, record${selection.requestsConversions ? '; request conversion of the previous/unconverted volumes GRIN does not have' : ''}`,
    `  teardown:    ${teardown.join(', ')}`,
  );
  return `${lines.join('\n')}\n`;
}
