import { createReadStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { tempPathBeside, writeFileAtomicWith } from '@grin/run';

export interface BackupOptions {
  /** Gzip the copy (e.g. `books_latest.db.gz`); default false. */
  gzip?: boolean | undefined;
  /** zlib level, default 1 (fast, like the reference tool's upload). */
  gzipLevel?: number | undefined;
  signal?: AbortSignal | undefined;
}

export interface BackupResult {
  path: string;
  /** Size of the written file (compressed size when gzipped). */
  bytes: number;
  gzip: boolean;
}

/**
 * A consistent copy of the live database through SQLite's online backup API, written under a temp
 * name and renamed into place. The copy is switched to rollback-journal mode so it is a single
 * self-contained file. The backup holds a read snapshot only; in WAL mode writers are not blocked.
 */
export async function backupCatalogue(db: Database, path: string, options: BackupOptions = {}): Promise<BackupResult> {
  const signal = options.signal;
  signal?.throwIfAborted();
  const tmp = tempPathBeside(path);
  try {
    await db.backup(tmp, {
      progress: () => {
        signal?.throwIfAborted();
        return 1000;
      },
    });
    const copy = new BetterSqlite3(tmp);
    try {
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
    if (options.gzip) {
      await writeFileAtomicWith(path, async (file) => {
        await pipeline(
          createReadStream(tmp),
          createGzip({ level: options.gzipLevel ?? 1 }),
          async (source: AsyncIterable<Buffer>) => {
            for await (const chunk of source) await file.write(chunk);
          },
          signal ? { signal } : {},
        );
      });
    } else {
      await rename(tmp, path);
    }
    return { path, bytes: (await stat(path)).size, gzip: options.gzip ?? false };
  } finally {
    await rm(tmp, { force: true });
    await rm(`${tmp}-journal`, { force: true });
  }
}
