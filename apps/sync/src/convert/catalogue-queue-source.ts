import type { Catalogue, CatalogueQueue } from '@grin/books';
import { isValidBarcode } from '../select/barcode.js';
import type { ConversionRequester } from './conversion-requester.js';

export interface CatalogueQueueSourceOptions {
  catalogue: Pick<Catalogue, 'iterateQueue'>;
  queue: CatalogueQueue;
  /**
   * The run's requester: its `state` (GRIN's `_in_process` and `_failed`) and `force` decide the
   * filtering, and it records the failed conversions the selection leaves out.
   */
  requester: ConversionRequester;
  /** Yield at most this many barcodes. */
  limit?: number;
  /** Stop yielding (first Ctrl-C): the source ends early. */
  signal?: AbortSignal;
  /** Rows per catalogue query (default 2000). */
  batchSize?: number;
  /** Called for a catalogue barcode that is not safe to use (it is skipped). */
  onInvalid?: (barcode: string) => void;
}

/** What the selection left out (and yielded) so far. */
export interface QueueSelectionCounts {
  /** Barcodes yielded. */
  selected: number;
  /** Left out: on GRIN's `_in_process` list. */
  inProcess: number;
  /** Left out: on GRIN's `_failed` list (recorded `conversion_failed`), without force. */
  conversionFailed: number;
  /** Left out: not a safe barcode. */
  invalid: number;
}

/**
 * A `--queue previous` / `--queue unconverted` source (reference 5.2): the catalogue's queue
 * (@grin/books `iterateQueue`: state and never-requested conditions, without verified-unavailable
 * or failed-conversion history, not synced) minus GRIN's `_in_process` list and, unless `force`,
 * minus GRIN's `_failed` list — those are recorded `conversion`/`conversion_failed` as they are
 * met, so later runs leave them out in SQL. With `force`, volumes with failed-conversion history
 * are selected again (verified-unavailable ones never are).
 *
 * Lazy: barcodes are read in keyset batches as the pipeline pulls them, so the pipeline's writes
 * (synced, requested) between batches are fine. Iterate it once per queue run.
 */
export class CatalogueQueueSource implements AsyncIterable<string> {
  readonly queue: CatalogueQueue;
  private readonly counters: QueueSelectionCounts = { selected: 0, inProcess: 0, conversionFailed: 0, invalid: 0 };

  constructor(private readonly options: CatalogueQueueSourceOptions) {
    this.queue = options.queue;
  }

  /** What the iteration has yielded and left out so far (a copy). */
  get counts(): QueueSelectionCounts {
    return { ...this.counters };
  }

  /** How many barcodes a full iteration would yield now (honours `limit`; records nothing). */
  total(): number {
    let n = 0;
    const limit = this.options.limit ?? Infinity;
    for (const barcode of this.rows(20_000)) {
      if (n >= limit) break;
      if (this.leftOut(barcode) === null) n++;
    }
    return n;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<string> {
    const { requester, signal } = this.options;
    const limit = this.options.limit ?? Infinity;
    if (limit <= 0) return;
    for (const barcode of this.rows(this.options.batchSize ?? 2000)) {
      if (signal?.aborted) return;
      const why = this.leftOut(barcode);
      if (why === 'invalid') {
        this.counters.invalid++;
        this.options.onInvalid?.(barcode);
        continue;
      }
      if (why === 'in_process') {
        this.counters.inProcess++;
        continue;
      }
      if (why === 'conversion_failed') {
        this.counters.conversionFailed++;
        // Decided at once from the _failed list: records conversion_failed, sends nothing.
        void requester.request(barcode);
        continue;
      }
      this.counters.selected++;
      yield barcode;
      if (this.counters.selected >= limit) return;
    }
  }

  private rows(batchSize: number): Generator<string> {
    return this.options.catalogue.iterateQueue(this.queue, {
      includeConversionFailed: this.options.requester.force,
      // --force re-syncs what is synced too (reference 11, bug 6: it must not stop at the filter).
      excludeSynced: !this.options.requester.force,
      batchSize,
    });
  }

  private leftOut(barcode: string): 'invalid' | 'in_process' | 'conversion_failed' | null {
    const { state, force } = this.options.requester;
    if (!isValidBarcode(barcode)) return 'invalid';
    if (state.inProcess.has(barcode)) return 'in_process';
    if (!force && state.failed.has(barcode)) return 'conversion_failed';
    return null;
  }
}
