import { QueueFullError, type ConversionResult, type GrinClient } from '@grin/client';
import { ConversionError, describeFailure } from './convert-errors.js';
import {
  conversionSessionCounts,
  emptyConversionCounts,
  GRIN_QUEUE_LIMIT,
  historyDetails,
  type ConversionCounts,
  type ConversionEvents,
  type ConversionQueueState,
  type ConversionRecord,
  type ConversionResultKind,
  type GrinConversionState,
} from './conversion-types.js';
import { classifyResult, limitReached, screenBarcode } from './conversion-records.js';
import { defaultTimers, type ConversionRequesterOptions, type ConversionTimers } from './conversion-requester-options.js';

interface Waiting {
  barcode: string;
  resolve: (record: ConversionRecord) => void;
}

/**
 * Requests conversion of volumes GRIN does not have available (HEAD/GET 404 in the `previous` and
 * `unconverted` queues) through `_process`, batched, and records each outcome (reference 1.8) in
 * the catalogue with a timestamp. Respects GRIN's queue limit: counts `_in_process` at start plus
 * the conversions accepted in this run and stops requesting at the limit; after a 429 ("queue
 * full") it sends nothing more in this run. Volumes not requested for either reason are recorded
 * `limit_reached` (deferred to a later run; not a failure). Each barcode is requested at most once
 * per run; barcodes on `_failed` or requested by an earlier run are not requested unless `force`.
 *
 * Call `request(barcode)` for each unavailable volume (no need to await it: the promise never
 * rejects), and `await drain()` before the queue / run ends.
 */
export class ConversionRequester {
  readonly state: GrinConversionState;
  readonly force: boolean;
  private readonly client: Pick<GrinClient, 'requestConversion'>;
  private readonly events: ConversionEvents;
  private readonly requestedBefore: (barcode: string) => boolean;
  private readonly limit: number;
  private readonly inProcessAtStart: number;
  private readonly batchSize: number;
  private readonly lingerMs: number;
  private readonly timers: ConversionTimers;
  private readonly signal: AbortSignal | undefined;
  private readonly log: (line: string) => void;

  /** Barcodes waiting or in flight, with the promise their callers hold. */
  private readonly unsettled = new Map<string, Promise<ConversionRecord>>();
  /** How each settled barcode ended (kept small: one short string per barcode). */
  private readonly settled = new Map<string, ConversionResultKind>();
  private readonly tally = emptyConversionCounts();
  private pending: Waiting[] = [];
  private requested = 0;
  private fullReason: 'cap' | 'grin' | null = null;
  private timer: unknown = undefined;
  private lingerDue = false;
  private draining = 0;
  private pump: Promise<void> | null = null;
  private recordError: ConversionError | null = null;

  constructor(options: ConversionRequesterOptions) {
    this.client = options.client;
    this.events = options.events;
    this.state = options.state;
    this.force = options.force ?? false;
    this.requestedBefore = options.requestedBefore ?? (() => false);
    this.limit = options.queueLimit ?? GRIN_QUEUE_LIMIT;
    this.inProcessAtStart = options.inProcessCount ?? options.state.inProcess.size;
    this.batchSize = Math.max(1, Math.floor(options.batchSize ?? 200));
    this.lingerMs = Math.max(0, options.lingerMs ?? 2000);
    this.timers = options.timers ?? defaultTimers;
    this.signal = options.signal;
    this.log = options.log ?? (() => {});
    if (this.available() <= 0) this.fullReason = 'cap';
    this.signal?.addEventListener('abort', () => this.abortWaiting(), { once: true });
  }

  /**
   * Handles one volume: decides at once (on `_failed`, on `_in_process`, requested before, queue
   * full) or queues it for the next `_process` call. Resolves with what was recorded; never
   * rejects. A barcode seen before in this run is neither sent nor recorded again: while it is
   * waiting the caller gets the same promise; afterwards a record of the same `kind` with
   * `status: null` and reason `duplicate_in_run` (not counted).
   */
  request(barcode: string): Promise<ConversionRecord> {
    const waiting = this.unsettled.get(barcode);
    if (waiting !== undefined) return waiting;
    const kind = this.settled.get(barcode);
    if (kind !== undefined) return Promise.resolve({ barcode, kind, status: null, reason: 'duplicate_in_run' });
    const immediate = screenBarcode(barcode, {
      state: this.state,
      force: this.force,
      requestedBefore: this.requestedBefore,
      aborted: this.signal?.aborted ?? false,
      full: this.fullReason,
    });
    if (immediate !== null) return Promise.resolve(this.finish(immediate));
    const promise = new Promise<ConversionRecord>((resolve) => {
      this.pending.push({ barcode, resolve });
      this.schedule();
    });
    this.unsettled.set(barcode, promise);
    return promise;
  }

  /**
   * Sends everything still waiting and resolves when every request made so far is settled and
   * recorded. Rejects with `ConversionError('catalogue_write_failed')` if an outcome could not be
   * recorded (the run should stop: what GRIN was asked is no longer known to the catalogue).
   */
  async drain(): Promise<void> {
    this.draining++;
    try {
      this.cancelTimer();
      while (this.pending.length > 0 || this.pump !== null) {
        this.startPump();
        if (this.pump !== null) await this.pump;
      }
    } finally {
      this.draining--;
    }
    if (this.recordError !== null) throw this.recordError;
  }

  /** False once no more conversions are requested in this run (queue limit reached or 429). */
  get accepting(): boolean {
    return this.fullReason === null;
  }

  /** Counters by result kind (a copy). */
  counts(): ConversionCounts {
    return { ...this.tally };
  }

  /** Counters as session counts (`conversion:<kind>`), to merge into the sync session's counts. */
  sessionCounts(): Record<string, number> {
    return conversionSessionCounts(this.tally);
  }

  /** GRIN's queue as this run sees it. */
  queueState(): ConversionQueueState {
    return {
      limit: this.limit,
      inProcessAtStart: this.inProcessAtStart,
      requestedThisRun: this.requested,
      available: this.available(),
      full: this.fullReason,
    };
  }

  private available(): number {
    return Math.max(0, this.limit - this.inProcessAtStart - this.requested);
  }

  /** Counts and records one outcome (a failing record is kept for `drain()` to report). */
  private finish(record: ConversionRecord): ConversionRecord {
    this.unsettled.delete(record.barcode);
    this.settled.set(record.barcode, record.kind);
    this.tally[record.kind]++;
    if (record.kind === 'requested') this.requested++;
    if (record.status !== null) {
      try {
        this.events.conversion(record.barcode, record.status, historyDetails(record));
      } catch (error) {
        this.recordError ??= new ConversionError(
          'catalogue_write_failed',
          `cannot record the conversion request of ${record.barcode}: ${(error as Error).message}`,
          {
            hint: 'check free disk space and that books.db is writable; rerun (GRIN answers "already in process" for books requested meanwhile)',
            retryable: false,
            cause: error,
          },
        );
      }
    }
    return record;
  }

  private schedule(): void {
    if (this.pending.length === 0) return;
    if (this.pending.length >= this.batchSize || this.draining > 0 || this.fullReason !== null) {
      this.cancelTimer();
      this.startPump();
      return;
    }
    if (this.pump === null && this.timer === undefined) {
      this.timer = this.timers.setTimeout(() => {
        this.timer = undefined;
        this.lingerDue = true;
        this.startPump();
      }, this.lingerMs);
    }
  }

  private startPump(): void {
    if (this.pump !== null || this.pending.length === 0) return;
    this.pump = this.runPump().finally(() => {
      this.pump = null;
      this.schedule();
    });
  }

  private async runPump(): Promise<void> {
    try {
      while (
        this.pending.length > 0 &&
        (this.lingerDue || this.draining > 0 || this.fullReason !== null || this.pending.length >= this.batchSize)
      ) {
        this.lingerDue = false;
        await this.sendNext();
      }
    } catch (error) {
      // Only a bug gets here; settle everyone rather than leave promises hanging.
      const waiting = this.pending.splice(0);
      for (const w of waiting) {
        w.resolve(this.finish({ barcode: w.barcode, kind: 'failed', status: 'failed', reason: 'request_failed', error: describeFailure(error) }));
      }
    }
  }

  /** One `_process` call for the next batch (bounded by the room left in GRIN's queue). */
  private async sendNext(): Promise<void> {
    if (this.fullReason === null && this.available() <= 0) {
      this.fullReason = 'cap';
      this.log(`GRIN's conversion queue is at its limit (${this.limit} books): no more conversion requests in this run`);
    }
    if (this.fullReason !== null) {
      const reason = this.fullReason === 'grin' ? 'queue_full_earlier_in_run' : 'queue_cap_reached';
      for (const w of this.pending.splice(0)) w.resolve(this.finish(limitReached(w.barcode, reason)));
      return;
    }
    const batch = this.pending.splice(0, Math.min(this.batchSize, this.available()));
    const barcodes = batch.map((w) => w.barcode);
    let results: ConversionResult[];
    try {
      results = await this.client.requestConversion(barcodes, {
        batchSize: barcodes.length,
        ...(this.signal === undefined ? {} : { signal: this.signal }),
      });
    } catch (error) {
      if (this.signal?.aborted) {
        for (const w of batch) w.resolve(this.finish({ barcode: w.barcode, kind: 'aborted', status: null, reason: 'aborted' }));
        return;
      }
      if (error instanceof QueueFullError) {
        this.fullReason = 'grin';
        this.log(`GRIN answered 429 (conversion queue full): no more conversion requests in this run; volumes still syncing if available`);
        for (const w of batch) w.resolve(this.finish(limitReached(w.barcode, 'grin_queue_full', error.message)));
        return;
      }
      const text = describeFailure(error);
      this.log(`conversion request for ${barcodes.length} volume(s) failed: ${text}`);
      for (const w of batch) {
        w.resolve(this.finish({ barcode: w.barcode, kind: 'failed', status: 'failed', reason: 'request_failed', error: text }));
      }
      return;
    }
    const byBarcode = new Map(results.map((r) => [r.barcode, r]));
    for (const w of batch) w.resolve(this.finish(classifyResult(w.barcode, byBarcode.get(w.barcode))));
  }

  private abortWaiting(): void {
    this.cancelTimer();
    for (const w of this.pending.splice(0)) {
      w.resolve(this.finish({ barcode: w.barcode, kind: 'aborted', status: null, reason: 'aborted' }));
    }
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) {
      this.timers.clearTimeout(this.timer);
      this.timer = undefined;
    }
  }
}
