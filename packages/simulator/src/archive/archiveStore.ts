import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, openSync, renameSync } from 'node:fs';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ArchivePlan, entryList, planArchive } from './archivePlan.js';
import { encryptToFile, writeStream } from './encryptToFile.js';
import type { GpgCipher } from './gpgEncrypt.js';
import { writePlaintext } from './plaintextWriter.js';
import { SimulatorError } from '../errors.js';
import { hash3 } from '../library/random.js';
import type { ArchiveTruth, SimulatedBook } from '../types.js';

const LEGACY_SALT = 0xca575;
// 2: CAST5 archives without an integrity packet (GnuPG 1.x style); version 1 caches are regenerated.
const SIDECAR_VERSION = 2;

export interface ArchiveStoreOptions {
  cacheDir: string;
  gpgHome: string;
  passphrase: string;
  /** Seed-derived key: archive content is a function of it. */
  key: number;
  archiveBytes: number | ((book: SimulatedBook) => number);
  legacyCipherFraction: number;
  concurrency: number;
  onGenerated?: () => void;
}

interface Sidecar extends Omit<ArchiveTruth, 'encryptedPath' | 'plaintextPath'> {
  version: number;
  key: number;
  targetBytes: number;
}

/**
 * Lazily generated, disk-cached archives. One generation per barcode is shared by concurrent
 * callers; at most `concurrency` run at once. A `BARCODE.json` sidecar, written last, marks a
 * complete cache entry so a restarted simulator with the same seed and cacheDir reuses it.
 */
/**
 * Truths kept in memory (the most recently used). A truth holds the volume's page texts and MARC
 * record (tens of KB), so keeping every one made a long simulated sync grow by ~30 MB per 1,000
 * volumes; an evicted one is read back from its cache sidecar.
 */
const TRUTHS_KEPT = 1_000;

export class ArchiveStore {
  private readonly truths = new Map<string, ArchiveTruth>();
  private readonly inflight = new Map<string, Promise<ArchiveTruth>>();
  private readonly abort = new AbortController();
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly opts: ArchiveStoreOptions) {}

  get(book: SimulatedBook): Promise<ArchiveTruth> {
    const known = this.truths.get(book.barcode);
    if (known) {
      this.remember(known);
      return Promise.resolve(known);
    }
    return this.exclusive(book.barcode, () => this.loadOrGenerate(book));
  }

  /** Truth plus an fd opened in the same tick, so a concurrent replacement cannot mismatch them. */
  async openForRead(book: SimulatedBook): Promise<{ truth: ArchiveTruth; fd: number }> {
    let truth = await this.get(book);
    const pending = this.inflight.get(book.barcode);
    if (pending) truth = await pending;
    return { truth, fd: openSync(truth.encryptedPath, 'r') };
  }

  /** Re-encrypts the cached plaintext: same content, new ciphertext and ETag. */
  replace(book: SimulatedBook): Promise<ArchiveTruth> {
    return this.exclusive(book.barcode, async () => {
      const old = this.truths.get(book.barcode) ?? (await this.loadOrGenerate(book));
      const encrypted = await this.withSlot(() =>
        encryptToFile({ ...this.gpg(old.cipher), inputPath: old.plaintextPath }, old.encryptedPath, undefined, this.abort.signal),
      );
      renameSync(encrypted.tmpPath, old.encryptedPath);
      const truth: ArchiveTruth = { ...old, etag: encrypted.md5, encryptedSize: encrypted.size };
      this.remember(truth);
      await this.writeSidecar(truth, this.targetBytes(book));
      return truth;
    });
  }

  /** Keeps `truth` as the most recently used, dropping the least recently used beyond the bound. */
  private remember(truth: ArchiveTruth): void {
    this.truths.delete(truth.barcode);
    this.truths.set(truth.barcode, truth);
    if (this.truths.size > TRUTHS_KEPT) {
      const oldest = this.truths.keys().next().value as string;
      this.truths.delete(oldest);
    }
  }

  async close(): Promise<void> {
    this.abort.abort(new SimulatorError('CLOSED', 'simulator closed'));
    await Promise.allSettled([...this.inflight.values()]);
  }

  private exclusive(barcode: string, run: () => Promise<ArchiveTruth>): Promise<ArchiveTruth> {
    const previous = this.inflight.get(barcode);
    const next = (previous ? previous.catch(() => undefined) : Promise.resolve()).then(() => {
      if (this.abort.signal.aborted) throw new SimulatorError('CLOSED', 'simulator closed');
      return run();
    });
    this.inflight.set(barcode, next);
    const cleanup = (): void => {
      if (this.inflight.get(barcode) === next) this.inflight.delete(barcode);
    };
    next.then(cleanup, cleanup);
    return next;
  }

  private async loadOrGenerate(book: SimulatedBook): Promise<ArchiveTruth> {
    const known = this.truths.get(book.barcode);
    if (known) return known;
    const truth = (await this.loadSidecar(book)) ?? (await this.withSlot(() => this.generate(book)));
    this.remember(truth);
    return truth;
  }

  private async generate(book: SimulatedBook): Promise<ArchiveTruth> {
    const signal = this.abort.signal;
    const targetBytes = this.targetBytes(book);
    const plan: ArchivePlan = planArchive(this.opts.key, book, targetBytes);
    const cipher = this.cipherFor(book);
    const paths = this.paths(book.barcode);
    const plainTmp = `${paths.plaintextPath}.tmp-${randomBytes(4).toString('hex')}`;
    const plainFile = createWriteStream(plainTmp, { mode: 0o600 });
    const sha = createHash('sha256');
    let plaintextSize = 0;
    let encryptedTmp: string | undefined;
    try {
      const encrypted = await encryptToFile(this.gpg(cipher), paths.encryptedPath, async (gpgIn) => {
        await writePlaintext(plan, { key: this.opts.key, bookIndex: book.index, mtime: entryMtime(book.index), signal }, async (chunk) => {
          sha.update(chunk);
          plaintextSize += chunk.length;
          await Promise.all([writeStream(plainFile, chunk), writeStream(gpgIn, chunk)]);
        });
      }, signal);
      encryptedTmp = encrypted.tmpPath;
      await new Promise<void>((resolve, reject) => plainFile.end((err?: Error | null) => (err ? reject(err) : resolve())));
      renameSync(plainTmp, paths.plaintextPath);
      renameSync(encrypted.tmpPath, paths.encryptedPath);
      const truth: ArchiveTruth = {
        barcode: book.barcode,
        ...paths,
        etag: encrypted.md5,
        encryptedSize: encrypted.size,
        plaintextSize,
        plaintextSha256: sha.digest('hex'),
        cipher,
        entries: entryList(plan),
        marcRecord: plan.marcRecord,
        expectedMarc: plan.expectedMarc,
        ocrPages: plan.ocrPages,
      };
      await this.writeSidecar(truth, targetBytes);
      this.opts.onGenerated?.();
      return truth;
    } catch (err) {
      plainFile.destroy();
      await rm(plainTmp, { force: true });
      if (encryptedTmp !== undefined) await rm(encryptedTmp, { force: true });
      if (err instanceof SimulatorError) throw err;
      throw new SimulatorError('ARCHIVE_FAILED', `generating the archive of ${book.barcode} failed: ${(err as Error).message}`, {
        cause: err,
        retryable: true,
      });
    }
  }

  private async loadSidecar(book: SimulatedBook): Promise<ArchiveTruth | undefined> {
    const paths = this.paths(book.barcode);
    try {
      const sidecar = JSON.parse(await readFile(join(this.opts.cacheDir, `${book.barcode}.json`), 'utf8')) as Sidecar;
      if (sidecar.version !== SIDECAR_VERSION || sidecar.key !== this.opts.key || sidecar.targetBytes !== this.targetBytes(book)) return undefined;
      const [enc, plain] = await Promise.all([stat(paths.encryptedPath), stat(paths.plaintextPath)]);
      if (enc.size !== sidecar.encryptedSize || plain.size !== sidecar.plaintextSize) return undefined;
      const { version: _v, key: _k, targetBytes: _t, ...rest } = sidecar;
      return { ...rest, ...paths };
    } catch {
      return undefined;
    }
  }

  private async writeSidecar(truth: ArchiveTruth, targetBytes: number): Promise<void> {
    const { encryptedPath: _e, plaintextPath: _p, ...rest } = truth;
    const sidecar: Sidecar = { version: SIDECAR_VERSION, key: this.opts.key, targetBytes, ...rest };
    const path = join(this.opts.cacheDir, `${truth.barcode}.json`);
    const tmp = `${path}.tmp-${randomBytes(4).toString('hex')}`;
    await writeFile(tmp, JSON.stringify(sidecar));
    renameSync(tmp, path);
  }

  private async withSlot<T>(run: () => Promise<T>): Promise<T> {
    while (this.running >= this.opts.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await run();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  private paths(barcode: string): { encryptedPath: string; plaintextPath: string } {
    return {
      encryptedPath: join(this.opts.cacheDir, `${barcode}.tar.gz.gpg`),
      plaintextPath: join(this.opts.cacheDir, `${barcode}.tar.gz`),
    };
  }

  private gpg(cipher: GpgCipher): { homedir: string; passphrase: string; cipher: GpgCipher } {
    return { homedir: this.opts.gpgHome, passphrase: this.opts.passphrase, cipher };
  }

  private targetBytes(book: SimulatedBook): number {
    const value = typeof this.opts.archiveBytes === 'function' ? this.opts.archiveBytes(book) : this.opts.archiveBytes;
    return Math.max(1024, Math.floor(value));
  }

  private cipherFor(book: SimulatedBook): GpgCipher {
    return hash3(this.opts.key, book.index, LEGACY_SALT) / 4294967296 < this.opts.legacyCipherFraction ? 'CAST5' : 'AES256';
  }
}

/** Fixed per book so the plaintext bytes are reproducible from the seed. */
function entryMtime(index: number): Date {
  return new Date(Date.UTC(2019, 0, 1) + (index % 500_000) * 60_000);
}
