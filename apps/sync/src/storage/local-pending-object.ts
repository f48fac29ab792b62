import { rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { finished } from 'node:stream/promises';
import type { PendingObject, StoredObject } from './archive-storage.js';
import { commitRefusal, type PendingState } from './commit-refusal.js';
import type { FileSink } from './file-sink.js';
import { fsyncDir, markInactive, rmdirIfEmpty, unlinkIfExists } from './fs-atomic.js';
import { localStoreError, StorageError } from './storage-error.js';
import { waitClosed } from './write-body.js';

export interface LocalPendingObjectOptions {
  finalPath: string;
  /** Writes the temp file (beside finalPath, same filesystem, so rename is atomic). */
  sink: FileSink;
  /** Remove the (per-barcode) directory on abort if nothing else is in it. */
  removeDirIfEmpty: boolean;
  /** Runs after the temp file is durable, before the rename. */
  beforeRename?: () => Promise<void>;
  /** Runs after the rename is durable; if it fails the final file is removed again. */
  afterRename?: (stored: StoredObject) => Promise<void>;
}

/** A temp file that becomes `finalPath` by fsync + rename + directory fsync on commit. */
export class LocalPendingObject implements PendingObject {
  readonly location: string;
  private readonly opts: LocalPendingObjectOptions;
  private state: PendingState = 'open';
  private committing: Promise<StoredObject> | undefined;

  constructor(opts: LocalPendingObjectOptions) {
    this.opts = opts;
    this.location = opts.finalPath;
  }

  get stream(): FileSink {
    return this.opts.sink;
  }

  commit(): Promise<StoredObject> {
    const refusal = commitRefusal(this.location, this.state, this.opts.sink);
    if (refusal !== null) return Promise.reject(refusal);
    this.state = 'committing';
    this.committing = this.doCommit();
    return this.committing;
  }

  async abort(_reason?: Error): Promise<void> {
    if (this.state === 'committing') {
      // Too late to take it back half-way: let the commit settle (it cleans up after itself).
      await this.committing?.catch(() => undefined);
      return;
    }
    if (this.state !== 'open') return;
    this.state = 'aborted';
    await this.discardTemp();
    if (this.opts.removeDirIfEmpty) await rmdirIfEmpty(dirname(this.location));
  }

  private async doCommit(): Promise<StoredObject> {
    const { sink, finalPath } = this.opts;
    try {
      await finished(sink, { readable: false });
      await this.opts.beforeRename?.();
      await rename(sink.path, finalPath);
      markInactive(sink.path);
      await fsyncDir(dirname(finalPath));
    } catch (err) {
      this.state = 'aborted';
      await this.discardTemp().catch(() => undefined);
      throw localStoreError(finalPath, err);
    }
    const sha256 = sink.digest();
    const stored: StoredObject = { location: finalPath, size: sink.bytes, ...(sha256 === undefined ? {} : { sha256 }) };
    try {
      await this.opts.afterRename?.(stored);
    } catch (err) {
      // Without its metadata the archive would be indistinguishable from a foreign file: undo.
      this.state = 'aborted';
      await unlinkIfExists(finalPath).catch(() => undefined);
      throw new StorageError('storage_write_failed', `could not record metadata for ${finalPath}: ${(err as Error).message}`, {
        hint: 'check free space and permissions of the storage path',
        retryable: true,
        cause: err,
      });
    }
    this.state = 'committed';
    return stored;
  }

  private async discardTemp(): Promise<void> {
    const { sink } = this.opts;
    if (!sink.destroyed) sink.destroy();
    await waitClosed(sink);
    await unlinkIfExists(sink.path);
    markInactive(sink.path);
  }
}
