import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type { ArchiveStorage, PendingObject, RawArchiveMeta, RawArchiveStat, StoredArchive, StoredObject } from './archive-storage.js';
import { FileSink, type FileSinkOptions } from './file-sink.js';
import {
  fsyncDir,
  isErrno,
  markActive,
  sweepStaleTemps,
  sweepStaleTempsUnder,
  tempPathFor,
  unlinkIfExists,
  writeFileAtomic,
} from './fs-atomic.js';
import { LocalObjectArea } from './local-object-area.js';
import { LocalPendingObject } from './local-pending-object.js';
import { probeWritableDirs } from './local-probe.js';
import { assertSafeBarcode, assertSafeObjectName } from './names.js';
import { StorageError, storedArchiveReadError, type StorageWarning } from './storage-error.js';

const READ_CHUNK = 1024 * 1024;

export interface LocalStorageOptions {
  /** Base directory (`--storage-path`). */
  basePath: string;
  /**
   * When set, full and meta objects go under `full/RUN/` and `meta/RUN/` (mirroring the S3 keys
   * `{bucket}/{RUN}/NAME`). Raw archives stay at `raw/B/B.tar.gz` (reference 6.5) either way.
   */
  runName?: string;
  /** Sub-directory names; default `raw`, `full`, `meta`. */
  dirs?: { raw?: string; full?: string; meta?: string };
  /** Told about removed stale temp files. */
  onWarning?: (warning: StorageWarning) => void;
  /** Source of temp-name suffixes (injectable for tests). */
  randomId?: () => string;
  /**
   * Compute the SHA-256 of every stored object while writing it (`StoredObject.sha256`, and the
   * raw sidecar's `sha256`). Costs ~1 CPU-s per GB on the main thread; nothing in the sync reads
   * it (statRaw checks size + encrypted ETag). Default false.
   */
  computeSha256?: boolean;
}

/**
 * Sidecar `B.tar.gz.meta.json` beside each archive. Written only after the archive rename, and the
 * previous sidecar is removed before that rename, so a sidecar never describes bytes that are not
 * fully there; an archive without (valid) sidecar reads as "present, ETag unknown".
 */
export interface RawSidecar {
  version: 1;
  barcode: string;
  encrypted_etag: string;
  acquisition_date: string;
  original_filename: string;
  size: number;
  /** Hex SHA-256 of the archive; present only when the storage was created with `computeSha256`. */
  sha256?: string;
  committed_at: string;
}

/** Local-disk backend: `DIR/raw/B/B.tar.gz` (+ sidecar), `DIR/full/NAME`, `DIR/meta/NAME`. */
export class LocalStorage implements ArchiveStorage {
  readonly kind = 'local' as const;
  readonly basePath: string;
  private readonly rawDir: string;
  private readonly full: LocalObjectArea;
  private readonly meta: LocalObjectArea;
  private readonly onWarning: (warning: StorageWarning) => void;
  private readonly randomId: () => string;
  private readonly sinkOptions: FileSinkOptions;

  constructor(options: LocalStorageOptions) {
    this.basePath = resolve(options.basePath);
    if (options.runName !== undefined) assertSafeObjectName(options.runName);
    const run = options.runName === undefined ? [] : [options.runName];
    this.rawDir = join(this.basePath, options.dirs?.raw ?? 'raw');
    this.onWarning = options.onWarning ?? (() => {});
    this.randomId = options.randomId ?? (() => randomBytes(6).toString('hex'));
    this.sinkOptions = { sha256: options.computeSha256 ?? false };
    this.full = new LocalObjectArea(join(this.basePath, options.dirs?.full ?? 'full', ...run), this.randomId, this.sinkOptions);
    this.meta = new LocalObjectArea(join(this.basePath, options.dirs?.meta ?? 'meta', ...run), this.randomId, this.sinkOptions);
  }

  describe(): string {
    return `local ${this.basePath}`;
  }

  /**
   * Create raw/, full/RUN/ and meta/RUN/ when missing and prove each takes a new file, so a bad
   * --storage-path stops the run before anything is downloaded (`storage_config`, exit 3).
   */
  async probe(signal?: AbortSignal): Promise<void> {
    await probeWritableDirs([this.rawDir, this.full.root, this.meta.root], this.randomId(), signal);
  }

  rawLocation(barcode: string): string {
    assertSafeBarcode(barcode);
    return join(this.rawDir, barcode, `${barcode}.tar.gz`);
  }

  sidecarLocation(barcode: string): string {
    return `${this.rawLocation(barcode)}.meta.json`;
  }

  async beginRaw(barcode: string, meta: RawArchiveMeta): Promise<PendingObject> {
    const finalPath = this.rawLocation(barcode);
    const sidecarPath = this.sidecarLocation(barcode);
    await mkdir(dirname(finalPath), { recursive: true });
    await this.sweep(finalPath);
    await this.sweep(sidecarPath);
    const tmp = tempPathFor(finalPath, this.randomId(), 'partial');
    markActive(tmp);
    const sink = new FileSink(tmp, this.sinkOptions);
    return new LocalPendingObject({
      finalPath,
      sink,
      removeDirIfEmpty: true,
      beforeRename: async () => {
        // Drop the old sidecar first: from here until the new sidecar lands, the archive reads
        // as "ETag unknown" rather than carrying the previous version's ETag.
        await this.removeSidecar(sidecarPath);
      },
      afterRename: async (stored) => {
        const sidecar: RawSidecar = {
          version: 1,
          barcode,
          encrypted_etag: meta.encryptedEtag,
          acquisition_date: meta.acquisitionDate,
          original_filename: meta.originalFilename,
          size: stored.size,
          ...(stored.sha256 === undefined ? {} : { sha256: stored.sha256 }),
          committed_at: new Date().toISOString(),
        };
        await writeFileAtomic(sidecarPath, `${JSON.stringify(sidecar, null, 2)}\n`, this.randomId());
      },
    });
  }

  async statRaw(barcode: string): Promise<RawArchiveStat | null> {
    const location = this.rawLocation(barcode);
    let size: number;
    try {
      const st = await stat(location);
      if (!st.isFile()) return null;
      size = st.size;
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return null;
      throw new StorageError('storage_read_failed', `cannot stat ${location}`, {
        hint: 'check that the storage path is readable',
        retryable: true,
        cause: err,
      });
    }
    const sidecar = await this.readSidecar(this.sidecarLocation(barcode));
    // A sidecar whose size disagrees with the file describes other bytes: treat as unknown.
    const encryptedEtag = sidecar !== null && sidecar.size === size ? sidecar.encrypted_etag : null;
    return { size, encryptedEtag, location };
  }

  /** The parsed sidecar of a barcode's archive, or null when absent or unreadable. */
  async readRawSidecar(barcode: string): Promise<RawSidecar | null> {
    return this.readSidecar(this.sidecarLocation(barcode));
  }

  async openRaw(barcode: string, signal: AbortSignal): Promise<StoredArchive> {
    try {
      const path = this.rawLocation(barcode);
      // The sidecar's SHA-256 (when the storage computes one) lets the reader verify the bytes.
      const sidecar = await this.readRawSidecar(barcode);
      const { size } = await stat(path);
      return { body: createReadStream(path, { highWaterMark: READ_CHUNK, signal }), size, sha256: sidecar?.sha256 || null };
    } catch (error) {
      if (signal.aborted) throw error;
      throw storedArchiveReadError(barcode, error);
    }
  }

  putFull(name: string, body: Readable | Buffer, _meta: Record<string, string>): Promise<StoredObject> {
    return this.full.put(name, body);
  }

  putMeta(name: string, body: Readable | Buffer, _meta?: Record<string, string>): Promise<StoredObject> {
    return this.meta.put(name, body);
  }

  removeMeta(name: string): Promise<void> {
    return this.meta.remove(name);
  }

  removeFull(name: string): Promise<void> {
    return this.full.remove(name);
  }

  fullLocation(name: string): string {
    return this.full.location(name);
  }

  /**
   * Start-up clean-up: remove temp files of killed writers under full/ and meta/. raw/ is left out
   * on purpose: it holds one directory per volume (10^6 listings at every start), and a raw write
   * killed half-way leaves its volume unsynced, so the next write of that barcode (which sweeps its
   * own directory first) removes the temp file. Returns the removed paths.
   */
  async sweepStaleTemps(): Promise<string[]> {
    const removed: string[] = [];
    for (const area of [this.full, this.meta]) removed.push(...(await sweepStaleTempsUnder(area.root)));
    for (const path of removed) {
      this.onWarning({ code: 'stale_temp_removed', message: `removed stale temp file ${path}`, location: path });
    }
    return removed;
  }

  async close(): Promise<void> {
    // nothing held open between calls
  }

  private async sweep(finalPath: string): Promise<void> {
    for (const path of await sweepStaleTemps(finalPath)) {
      this.onWarning({ code: 'stale_temp_removed', message: `removed stale temp file ${path}`, location: path });
    }
  }

  private async removeSidecar(sidecarPath: string): Promise<void> {
    if (await unlinkIfExists(sidecarPath)) await fsyncDir(dirname(sidecarPath));
  }

  private async readSidecar(path: string): Promise<RawSidecar | null> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return null;
      throw new StorageError('storage_read_failed', `cannot read ${path}`, {
        hint: 'check that the storage path is readable',
        retryable: true,
        cause: err,
      });
    }
    try {
      const parsed = JSON.parse(text) as Partial<RawSidecar>;
      if (typeof parsed.encrypted_etag !== 'string' || typeof parsed.size !== 'number') return null;
      return parsed as RawSidecar;
    } catch {
      return null;
    }
  }
}
