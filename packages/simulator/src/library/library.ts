import { BarcodeMapping } from './barcodeMapping.js';
import { type BaseBook, BookGenerator } from './bookGenerator.js';
import { ConversionTracker } from './conversionTracker.js';
import { enrichmentFor } from './enrichment.js';
import { formatGrinDate } from './grinDate.js';
import { ListIndex } from './listIndex.js';
import { seedKey } from './random.js';
import { SimulatorError } from '../errors.js';
import type { ArchiveTruth, CurrentBookState, ListName, SimulatedBook, SimulatedLibrary } from '../types.js';

/** What the listing pages need: the book with runtime state applied, without enrichment. */
export type ListingBook = BaseBook;

export type ConversionClass = 'success' | 'already-available' | 'already-in-process' | 'not-available';

export interface LibraryOptions {
  size: number;
  seed: number;
  clock: () => number;
  conversionDelayMs: number;
}

/** The simulated library: books derived on demand, plus the runtime conversion state. */
export class Library implements SimulatedLibrary {
  readonly size: number;
  readonly seed: number;
  readonly key: number;
  readonly barcodes: BarcodeMapping;
  private readonly generator: BookGenerator;
  private readonly tracker: ConversionTracker;
  private readonly lists: ListIndex;
  private archiveProvider: ((book: SimulatedBook) => Promise<ArchiveTruth>) | undefined;

  constructor(opts: LibraryOptions) {
    this.size = opts.size;
    this.seed = opts.seed;
    this.key = seedKey(opts.seed);
    this.barcodes = new BarcodeMapping(this.key, opts.size);
    this.generator = new BookGenerator(this.key, this.barcodes);
    this.tracker = new ConversionTracker(opts.clock, opts.conversionDelayMs);
    this.lists = new ListIndex(this.key, opts.size, this.tracker);
  }

  setArchiveProvider(provider: (book: SimulatedBook) => Promise<ArchiveTruth>): void {
    this.archiveProvider = provider;
  }

  /** Applies conversions whose delay has elapsed; called once per request. */
  settle(): void {
    this.tracker.settle();
  }

  /** Hot path of listing pages. */
  listingBook(index: number): ListingBook {
    const base = this.generator.generate(index);
    if (!this.tracker.hasOverrides) return base;
    const override = this.tracker.override(index);
    if (override?.state === 'IN_PROCESS') {
      base.state = 'IN_PROCESS';
      base.archiveAvailable = false;
    } else if (override?.state === 'CONVERTED') {
      base.state = 'CONVERTED';
      base.archiveAvailable = true;
      base.convertedDate = formatGrinDate(override.convertedAt);
    }
    return base;
  }

  book(index: number): SimulatedBook {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) {
      throw new SimulatorError('UNKNOWN_BOOK', `no book with index ${index} (library has ${this.size})`);
    }
    this.settle();
    const book = this.listingBook(index) as ListingBook & { enrichment: Record<string, string> };
    book.enrichment = enrichmentFor(this.key, book);
    return book;
  }

  indexOf(barcode: string): number | undefined {
    return this.barcodes.indexOf(barcode);
  }

  byBarcode(barcode: string): SimulatedBook | undefined {
    const index = this.barcodes.indexOf(barcode);
    return index === undefined ? undefined : this.book(index);
  }

  listSize(list: ListName): number {
    this.settle();
    return this.lists.count(list);
  }

  /** Immutable index array of a list in page order; null for `_all_books` (identity). */
  listSnapshot(list: ListName): ArrayLike<number> | null {
    return this.lists.indices(list);
  }

  *listing(list: ListName): Iterable<SimulatedBook> {
    this.settle();
    const indices = this.lists.indices(list);
    const count = indices === null ? this.size : indices.length;
    for (let position = 0; position < count; position++) {
      yield this.book(indices === null ? position : (indices[position] as number));
    }
  }

  currentState(barcode: string): CurrentBookState {
    const index = this.requireIndex(barcode);
    this.settle();
    const book = this.listingBook(index);
    return {
      state: book.state,
      archiveAvailable: book.archiveAvailable,
      inProcess: book.state === 'IN_PROCESS',
      failed: book.conversionFailure !== null,
    };
  }

  inProcessCount(): number {
    this.settle();
    return this.lists.baseInProcessCount() + this.tracker.pendingCount;
  }

  classifyConversion(index: number): ConversionClass {
    const book = this.listingBook(index);
    if (book.archiveAvailable) return 'already-available';
    if (book.state === 'IN_PROCESS') return 'already-in-process';
    if (book.state === 'NOT_AVAILABLE_FOR_DOWNLOAD' || book.conversionFailure !== null) return 'not-available';
    return 'success';
  }

  startConversion(index: number): void {
    this.tracker.request(index);
  }

  archive(barcode: string): Promise<ArchiveTruth> {
    const index = this.barcodes.indexOf(barcode);
    if (index === undefined) {
      return Promise.reject(new SimulatorError('UNKNOWN_BARCODE', `no book with barcode ${barcode}`));
    }
    if (!this.archiveProvider) {
      return Promise.reject(new SimulatorError('ARCHIVE_FAILED', 'archives need a running simulator'));
    }
    return this.archiveProvider(this.book(index));
  }

  private requireIndex(barcode: string): number {
    const index = this.barcodes.indexOf(barcode);
    if (index === undefined) throw new SimulatorError('UNKNOWN_BARCODE', `no book with barcode ${barcode}`);
    return index;
  }
}
