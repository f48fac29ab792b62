import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import type { StoredObject } from './archive-storage.js';
import { FileSink, type FileSinkOptions } from './file-sink.js';
import { fsyncDir, markActive, tempPathFor, unlinkIfExists, writeFileAtomic } from './fs-atomic.js';
import { LocalPendingObject } from './local-pending-object.js';
import { assertSafeObjectName } from './names.js';
import { localStoreError, StorageError } from './storage-error.js';
import { writeAndCommit } from './write-body.js';

/**
 * One of local storage's object areas (`full/RUN/`, `meta/RUN/`): named files written atomically
 * (temp file, fsync, rename, directory fsync) and removed durably. Local full/meta objects keep no
 * user metadata: the catalogue already records it (page count, dates), and a sidecar per OCR file
 * would only double the file count.
 */
export class LocalObjectArea {
  /** Directories known to exist: one OCR file per volume lands in the same full/RUN/. */
  private readonly madeDirs = new Set<string>();

  constructor(
    readonly root: string,
    private readonly randomId: () => string,
    private readonly sinkOptions: FileSinkOptions,
  ) {}

  /** Where object `name` (checked; `/` separates directories) lives. */
  location(name: string): string {
    assertSafeObjectName(name);
    return join(this.root, ...name.split('/'));
  }

  async put(name: string, body: Readable | Buffer): Promise<StoredObject> {
    const finalPath = this.location(name);
    const dir = dirname(finalPath);
    if (!this.madeDirs.has(dir)) {
      await mkdir(dir, { recursive: true });
      this.madeDirs.add(dir);
    }
    // No per-write sweep here: full/RUN/ holds one file per volume, and listing it on every write
    // would make a long run quadratic. Stale temps there are swept once at start-up.
    try {
      if (Buffer.isBuffer(body)) return await this.putBuffer(finalPath, body);
      const tmp = tempPathFor(finalPath, this.randomId(), 'partial');
      markActive(tmp);
      const pending = new LocalPendingObject({ finalPath, sink: new FileSink(tmp, this.sinkOptions), removeDirIfEmpty: false });
      return await writeAndCommit(pending, body);
    } catch (error) {
      // The directory may have been removed under us: make it again on the next (retried) write.
      this.madeDirs.delete(dir);
      throw error;
    }
  }

  /** Removes object `name` if it exists; rejects with StorageError('storage_write_failed'). */
  async remove(name: string): Promise<void> {
    const path = this.location(name);
    try {
      if (await unlinkIfExists(path)) await fsyncDir(dirname(path));
    } catch (err) {
      throw new StorageError('storage_write_failed', `could not remove ${path}: ${(err as Error).message}`, {
        hint: 'check the permissions of the storage path',
        retryable: true,
        cause: err,
      });
    }
  }

  /**
   * A body already in memory (an OCR file, a CSV) goes straight through temp file, fsync, rename
   * and directory fsync, without the streaming sink: per small file that machinery cost more CPU
   * than the writing (measured on 100 KB volumes; see BENCHMARKS.md, "Measured at stop 11").
   */
  private async putBuffer(finalPath: string, body: Buffer): Promise<StoredObject> {
    try {
      await writeFileAtomic(finalPath, body, this.randomId());
    } catch (err) {
      throw localStoreError(finalPath, err);
    }
    const sha256 = this.sinkOptions.sha256 === true ? createHash('sha256').update(body).digest('hex') : undefined;
    return { location: finalPath, size: body.length, ...(sha256 === undefined ? {} : { sha256 }) };
  }
}
