import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { GrinClient } from '@grin/client';
import { formatCount } from '@grin/progress';
import { describeStorage } from '../config/storage-settings.js';
import type { SyncCliOptions } from './parse-args.js';
import type { RunSettings } from './run-settings.js';
import type { PreparedSelection } from './selection.js';

const PREVIEW = 10;

/**
 * `--dry-run`: what a run would do. Reads the selection (for the converted queue, GRIN's listing);
 * takes no lock, opens no catalogue, writes no file, asks storage nothing and downloads nothing.
 */
export async function dryRun(
  o: SyncCliOptions,
  s: RunSettings,
  runDir: string,
  selection: PreparedSelection,
  client: GrinClient,
  signal: AbortSignal,
): Promise<string> {
  const first: string[] = [];
  let count = 0;
  const dbPath = join(runDir, 'books.db');
  // The catalogue is not opened: even a read-only SQLite connection creates -wal/-shm files.
  const source = selection.source({ client, signal, catalogue: null, log: () => {}, added: { count: 0, sample: [] } });
  for await (const barcode of source) {
    count++;
    if (first.length < PREVIEW) first.push(barcode);
  }
  const lines = [
    'Dry run: nothing is written, locked, uploaded or downloaded.',
    `  run:         ${o.runName} (${runDir})`,
    `  selection:   ${selection.describe}: ${formatCount(count)} volume${count === 1 ? '' : 's'}`,
    `  first:       ${first.length > 0 ? first.join(', ') : '(none)'}${count > first.length ? ', ...' : ''}`,
    `  GRIN:        library ${s.libraryDirectory} at ${s.grinUrl ?? 'https://books.google.com/libraries/'} (${s.requestsPerSecond} requests/s)`,
    `  storage:     ${describeStorage(s.storage, o.runName)}`,
    `  concurrency: ${s.downloadConcurrency} downloads, ${s.workers} processing workers, stop after ${o.maxConsecutiveFailures} consecutive failures`,
    `  catalogue:   ${dbPath}${existsSync(dbPath) ? '' : ' (does not exist yet)'}`,
    `  would:       check each volume (storage metadata + GRIN HEAD when stored)${o.force ? ', download all again (--force)' : ', skip those stored with GRIN\'s current ETag'}, download, decrypt, store, verify, record`,
  ];
  return `${lines.join('\n')}\n`;
}
