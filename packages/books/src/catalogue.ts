import type { Database } from 'better-sqlite3';
import { backupCatalogue, type BackupOptions, type BackupResult } from './backup.js';
import type { BatchedEventWriter, StatusWriterOptions } from './batched-event-writer.js';
import type { BookRow, MarcRecord } from './book-columns.js';
import { BookQueries, type BookFilter, type EnsureBooksResult, type IterateOptions } from './book-queries.js';
import { ColumnUpdater } from './column-updater.js';
import { exportBooksCsv, type ExportCsvOptions } from './csv-export.js';
import { ListingStore } from './listing-store.js';
import type { ListingCursor, ListingPageInput, StorePageResult } from './listing-types.js';
import { MetadataStore } from './metadata-store.js';
import { buildProcessSummary, type ProcessSummary } from './process-summary.js';
import { SessionStore } from './session-store.js';
import type {
  RunSession,
  SessionStatus,
  SessionUpdate,
  StageSessionSummary,
  StartSessionInput,
} from './session-types.js';
import { StatusBatchWriter } from './status-batch-writer.js';
import { readStatusHistory, type StatusHistoryEntry } from './status-history.js';
import { SyncSelection, type CatalogueQueue, type QueueOptions } from './sync-selection.js';
import { isoTimestamp, type Clock } from './timestamp.js';

/** Effective connection pragmas; `synchronous` 1 = NORMAL, `tempStore` 2 = MEMORY, negative `cacheSize` = KiB. */
export interface ConnectionSettings {
  journalMode: string;
  synchronous: number;
  busyTimeoutMs: number;
  foreignKeys: boolean;
  tempStore: number;
  cacheSize: number;
}

/**
 * The run's catalogue (books.db) behind typed methods: the only place with SQL. One instance is
 * the process's single writer connection; every method is synchronous except the file exports.
 * Create it with `openCatalogue`.
 */
export class Catalogue {
  private readonly updater: ColumnUpdater;
  private readonly writers = new Set<BatchedEventWriter>();
  private listingStore: ListingStore | undefined;
  private bookQueries: BookQueries | undefined;
  private sessionStore: SessionStore | undefined;
  private selection: SyncSelection | undefined;
  private metadataStore: MetadataStore | undefined;
  private closed = false;

  /** @internal Use `openCatalogue`. */
  constructor(
    private readonly db: Database,
    readonly path: string,
    readonly readonly: boolean,
    readonly schemaVersion: number,
    private readonly now: Clock,
    private readonly onClose: () => void,
  ) {
    this.updater = new ColumnUpdater(db);
  }

  // --- collect: listing pages and the cursor ---

  /** Stores one listing page and advances the list's cursor in one transaction. */
  storeListingPage(page: ListingPageInput): StorePageResult {
    return this.listing.storeListingPage(page);
  }

  getListingCursor(list: string): ListingCursor | undefined {
    return this.listing.getListingCursor(list);
  }

  resetListingCursor(list: string): void {
    this.listing.resetListingCursor(list);
  }

  markListingComplete(list: string, totalRows: number): void {
    this.listing.markListingComplete(list, totalRows);
  }

  // --- books ---

  countBooks(filter?: BookFilter): number {
    return this.books.countBooks(filter);
  }

  getBook(barcode: string): BookRow | undefined {
    return this.books.getBook(barcode);
  }

  /** All books in catalogue order, streamed in batches; writes between items are allowed. */
  iterateBooks(options?: IterateOptions): Generator<BookRow> {
    return this.books.iterateBooks(options);
  }

  ensureBooks(barcodes: Iterable<string>): EnsureBooksResult {
    return this.books.ensureBooks(barcodes);
  }

  setProcessingRequested(barcode: string, at?: Date): boolean {
    return this.books.setProcessingRequested(barcode, at);
  }

  setMarc(barcode: string, marc: MarcRecord): boolean {
    return this.books.setMarc(barcode, marc);
  }

  // --- sync selection ---

  isSynced(barcode: string): boolean {
    return this.sync.isSynced(barcode);
  }

  syncedEtag(barcode: string): string | null {
    return this.sync.syncedEtag(barcode);
  }

  iterateQueue(queue: CatalogueQueue, options?: QueueOptions): Generator<string> {
    return this.sync.iterateQueue(queue, options);
  }

  countQueue(queue: CatalogueQueue, options?: QueueOptions): number {
    return this.sync.countQueue(queue, options);
  }

  // --- status history ---

  /**
   * A batched writer for status events (history + column updates). Writers still open are
   * flushed by `close()`. Throws if `sessionId` is given but unknown.
   */
  createStatusWriter(options: StatusWriterOptions = {}): StatusBatchWriter {
    if (options.sessionId != null && !this.sessions.get(options.sessionId)) {
      throw new Error(`run session ${options.sessionId} does not exist`);
    }
    const writer = new StatusBatchWriter(this.db, this.updater, this.now, options, (w) => this.writers.delete(w));
    this.writers.add(writer);
    return writer;
  }

  /** History rows of a book in event order, optionally of one status type. */
  getStatusHistory(barcode: string, statusType?: string): StatusHistoryEntry[] {
    return readStatusHistory(this.db, barcode, statusType);
  }

  /** The latest history row of a type for a book, or undefined. */
  latestStatus(barcode: string, statusType: string): StatusHistoryEntry | undefined {
    return this.getStatusHistory(barcode, statusType).at(-1);
  }

  /** Where the volume's OCR file was last recorded as stored (`text_extraction`/`completed` path), or null. */
  storedOcrLocation(barcode: string): string | null {
    const completed = this.getStatusHistory(barcode, 'text_extraction').filter((e) => e.statusValue === 'completed');
    const path = completed.at(-1)?.metadata?.['path'];
    return typeof path === 'string' ? path : null;
  }

  // --- sessions ---

  startSession(input: StartSessionInput): number {
    return this.sessions.start(input);
  }

  updateSession(id: number, update: SessionUpdate): void {
    this.sessions.update(id, update);
  }

  endSession(id: number, status: Exclude<SessionStatus, 'running'>, error?: string | Error | null): void {
    this.sessions.end(id, status, error);
  }

  getSession(id: number): RunSession | undefined {
    return this.sessions.get(id);
  }

  listSessions(stage?: string): RunSession[] {
    return this.sessions.list(stage);
  }

  summarizeSessions(stage: string): StageSessionSummary {
    return this.sessions.summarize(stage);
  }

  /** `process_summary.json` content rebuilt from all sessions. */
  processSummary(runName: string): ProcessSummary {
    return buildProcessSummary(runName, this.sessions.list(), isoTimestamp(this.now()));
  }

  // --- run metadata ---

  getMetadata<T = unknown>(key: string): T | undefined {
    return this.metadata.get<T>(key);
  }

  setMetadata(key: string, value: unknown): void {
    this.metadata.set(key, value);
  }

  // --- files ---

  /** Commits the pending events of every open status writer. */
  flushStatusWriters(): void {
    for (const writer of this.writers) writer.flush();
  }

  /**
   * Writes `books_export.csv` (see `exportBooksCsv`) after flushing open status writers; resolves
   * to the number of books.
   */
  async exportCsv(path: string, options?: ExportCsvOptions): Promise<number> {
    this.flushStatusWriters();
    return exportBooksCsv(this.db, path, options);
  }

  /**
   * A consistent copy of the database via the online backup API (after flushing open status
   * writers), optionally gzipped, written atomically.
   */
  async backupTo(path: string, options?: BackupOptions): Promise<BackupResult> {
    this.flushStatusWriters();
    return backupCatalogue(this.db, path, options);
  }

  /**
   * Flushes open status writers, then closes the connection. If a flush fails the error is
   * thrown and the catalogue stays open (nothing is lost; retry or inspect).
   */
  close(): void {
    if (this.closed) return;
    for (const writer of [...this.writers]) writer.close();
    this.db.close();
    this.closed = true;
    this.onClose();
  }

  /** The connection's effective pragmas (diagnostics, tests). */
  connectionSettings(): ConnectionSettings {
    const get = (name: string): unknown => this.db.pragma(name, { simple: true });
    return {
      journalMode: String(get('journal_mode')),
      synchronous: Number(get('synchronous')),
      busyTimeoutMs: Number(get('busy_timeout')),
      foreignKeys: Number(get('foreign_keys')) === 1,
      tempStore: Number(get('temp_store')),
      cacheSize: Number(get('cache_size')),
    };
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  private get listing(): ListingStore {
    return (this.listingStore ??= new ListingStore(this.db, this.now, this.sessions));
  }

  private get books(): BookQueries {
    return (this.bookQueries ??= new BookQueries(this.db, this.now, this.updater));
  }

  private get sessions(): SessionStore {
    return (this.sessionStore ??= new SessionStore(this.db, this.now));
  }

  private get sync(): SyncSelection {
    return (this.selection ??= new SyncSelection(this.db));
  }

  private get metadata(): MetadataStore {
    return (this.metadataStore ??= new MetadataStore(this.db, this.now));
  }

  /** @internal Used by `openCatalogue` after migrations. */
  interruptDeadSessions(host: string, isAlive: (pid: number) => boolean): number {
    return this.sessions.interruptDead(host, isAlive);
  }
}
