import type { Database, Statement } from 'better-sqlite3';
import type { BookColumnValues } from './book-columns.js';
import type { ColumnUpdater } from './column-updater.js';
import { isoTimestamp, type Clock } from './timestamp.js';

/** One status event: a `book_status_history` row plus optional `books` column updates. */
export interface StatusEvent {
  barcode: string;
  statusType: string;
  statusValue: string;
  /** Stored as JSON; keys are snake_case like the reference tool's. */
  metadata?: Record<string, unknown> | null;
  /** Columns to set on the book (with `updated_at`), applied in event order. */
  columns?: BookColumnValues | null;
  /** Event time in the catalogue's format (`isoTimestamp`); defaults to the clock's now. */
  timestamp?: string;
}

/** Timer functions, injected so tests drive the time-based flush without real sleeps. */
export interface WriterTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface StatusWriterOptions {
  /** Commit after this many pending events (default 200). */
  maxEvents?: number | undefined;
  /** Commit at most this long after the first pending event (default 1000 ms). */
  maxDelayMs?: number | undefined;
  /** Written to every history row (`run_sessions.id`). */
  sessionId?: number | null | undefined;
  timers?: WriterTimers | undefined;
  /**
   * Receives errors of timer-driven commits (for logging). The events stay pending and are retried
   * by the next commit; an explicit `flush()` / `close()` / full batch throws if it fails again.
   */
  onError?: ((error: unknown) => void) | undefined;
  /**
   * Called after each batch committed (full batch, timer, `flush()`, `close()`) with the number of
   * events it held. An exception it throws does not undo the commit; it goes to `onError`.
   */
  onCommit?: ((events: number) => void) | undefined;
}

interface PendingEvent {
  barcode: string;
  statusType: string;
  statusValue: string;
  timestamp: string;
  metadata: string | null;
  columns: BookColumnValues | null;
}

const defaultTimers: WriterTimers = {
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    // A pending commit must not keep the process alive; owners call close() before exiting.
    handle.unref();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * Accumulates status events and commits them in one transaction every `maxEvents` events or
 * `maxDelayMs` after the first pending one, and on `flush()` / `close()`. Each event's timestamp
 * is taken when it is recorded, not when it is committed. A book row is created for an unknown
 * barcode so history never references a missing book (reference bug 13).
 */
export class BatchedEventWriter {
  private pendingEvents: PendingEvent[] = [];
  private timer: unknown = undefined;
  private closed = false;
  private readonly insertHistory: Statement;
  private readonly ensureBook: Statement;
  private readonly commitTx: (events: PendingEvent[]) => void;
  private readonly maxEvents: number;
  private readonly maxDelayMs: number;
  private readonly timers: WriterTimers;

  constructor(
    db: Database,
    private readonly updater: ColumnUpdater,
    protected readonly now: Clock,
    private readonly options: StatusWriterOptions,
    private readonly onClosed: (writer: BatchedEventWriter) => void,
  ) {
    this.maxEvents = options.maxEvents ?? 200;
    this.maxDelayMs = options.maxDelayMs ?? 1000;
    this.timers = options.timers ?? defaultTimers;
    this.insertHistory = db.prepare(
      `INSERT INTO book_status_history (barcode, status_type, status_value, timestamp, session_id, metadata)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.ensureBook = db.prepare(
      'INSERT INTO books (barcode, created_at, updated_at) VALUES (?, ?, ?) ON CONFLICT (barcode) DO NOTHING',
    );
    this.commitTx = db.transaction((events: PendingEvent[]) => {
      const sessionId = this.options.sessionId ?? null;
      for (const e of events) {
        this.ensureBook.run(e.barcode, e.timestamp, e.timestamp);
        this.insertHistory.run(e.barcode, e.statusType, e.statusValue, e.timestamp, sessionId, e.metadata);
        if (e.columns) this.updater.update(e.barcode, e.columns, e.timestamp);
      }
    });
  }

  /** Events recorded but not committed yet. */
  get pending(): number {
    return this.pendingEvents.length;
  }

  /** Queues one event; commits when the batch is full. */
  record(event: StatusEvent): void {
    if (this.closed) throw new Error('status writer is closed');
    if (!event.barcode) throw new Error('status event without barcode');
    this.pendingEvents.push({
      barcode: event.barcode,
      statusType: event.statusType,
      statusValue: event.statusValue,
      timestamp: event.timestamp ?? isoTimestamp(this.now()),
      metadata: event.metadata ? JSON.stringify(event.metadata) : null,
      columns: event.columns ?? null,
    });
    if (this.pendingEvents.length >= this.maxEvents) {
      this.flush();
    } else if (this.timer === undefined) {
      this.timer = this.timers.setTimeout(() => this.flushFromTimer(), this.maxDelayMs);
    }
  }

  /** Commits everything pending in one transaction; on failure the events stay pending. */
  flush(): void {
    this.cancelTimer();
    if (this.pendingEvents.length === 0) return;
    const batch = this.pendingEvents;
    this.pendingEvents = [];
    try {
      this.commitTx(batch);
    } catch (err) {
      this.pendingEvents = batch.concat(this.pendingEvents);
      throw err;
    }
    this.notifyCommit(batch.length);
  }

  /** Flushes and stops accepting events. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.onClosed(this);
  }

  /**
   * Drops pending events without committing and closes the writer; returns how many were dropped.
   * For exit paths where a commit keeps failing (e.g. disk full) and the process must still stop.
   */
  discard(): number {
    this.cancelTimer();
    const dropped = this.pendingEvents.length;
    this.pendingEvents = [];
    if (!this.closed) {
      this.closed = true;
      this.onClosed(this);
    }
    return dropped;
  }

  private notifyCommit(events: number): void {
    const onCommit = this.options.onCommit;
    if (onCommit === undefined) return;
    try {
      onCommit(events);
    } catch (err) {
      this.options.onError?.(err);
    }
  }

  private flushFromTimer(): void {
    this.timer = undefined;
    try {
      this.flush();
    } catch (err) {
      this.options.onError?.(err);
      if (!this.closed && this.pendingEvents.length > 0) {
        this.timer = this.timers.setTimeout(() => this.flushFromTimer(), this.maxDelayMs);
      }
    }
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) {
      this.timers.clearTimeout(this.timer);
      this.timer = undefined;
    }
  }
}
