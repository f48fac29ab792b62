import { join } from 'node:path';
import { abortedItem, notAttempted, uploadAll } from './meta-upload.js';
import { itemError } from './teardown-errors.js';
import type { TeardownCatalogue, TeardownItem, TeardownStorage } from './teardown-types.js';

export interface DatabaseStepInput {
  catalogue: TeardownCatalogue;
  storage: TeardownStorage;
  workDir: string;
  timestamp: string;
  signal: AbortSignal | undefined;
}

/**
 * A consistent snapshot of the catalogue (SQLite online backup API, gzip level 1, via @grin/books
 * `backupTo`) uploaded as `books_latest.db.gz` and `timestamped/TS_books_latest.db.gz`.
 */
export async function databaseRecords(input: DatabaseStepInput): Promise<TeardownItem[]> {
  const { signal } = input;
  if (signal?.aborted) return [abortedItem('database_backup'), abortedItem('database_latest'), abortedItem('database_timestamped')];
  const file = join(input.workDir, 'books_latest.db.gz');
  let bytes: number;
  try {
    bytes = (await input.catalogue.backupTo(file, { gzip: true, ...(signal === undefined ? {} : { signal }) })).bytes;
  } catch (error) {
    return [
      { name: 'database_backup', ok: false, error: itemError(error) },
      notAttempted('database_latest', 'database_backup'),
      notAttempted('database_timestamped', 'database_backup'),
    ];
  }
  const meta = { backup_at_utc: input.timestamp };
  const uploads = await uploadAll(
    input.storage,
    [
      { item: 'database_latest', name: 'books_latest.db.gz', source: { file }, meta },
      { item: 'database_timestamped', name: `timestamped/${input.timestamp}_books_latest.db.gz`, source: { file }, meta },
    ],
    signal,
  );
  return [{ name: 'database_backup', ok: true, bytes }, ...uploads];
}
