import type { Database, Statement } from 'better-sqlite3';

/** Queues selected from the catalogue (reference 5.2); `converted` comes from GRIN instead. */
export type CatalogueQueue = 'previous' | 'unconverted';

export interface QueueOptions {
  /** Barcodes to leave out, typically GRIN's `_in_process` list. */
  exclude?: ReadonlySet<string> | undefined;
  /** Leave out volumes already synced (default true). */
  excludeSynced?: boolean | undefined;
  /**
   * Keep volumes whose conversion GRIN reported as failed (`conversion`/`conversion_failed`), so
   * `--force` can request them again. Verified-unavailable volumes are always left out.
   */
  includeConversionFailed?: boolean | undefined;
  /** Stop after this many barcodes. */
  limit?: number | undefined;
  /** Rows per query (default 2000); the connection is free between batches. */
  batchSize?: number | undefined;
}

const NOT_REQUESTED = "(processing_request_timestamp IS NULL OR processing_request_timestamp = '')";
const NOT_SYNCED = 'sync_timestamp IS NULL';

const QUEUE_WHERE: Record<CatalogueQueue, string> = {
  previous: `grin_state = 'PREVIOUSLY_DOWNLOADED' AND ${NOT_REQUESTED}`,
  unconverted: `${NOT_REQUESTED}
    AND (converted_date IS NULL OR converted_date = '')
    AND (grin_check_in_date IS NULL OR grin_check_in_date = '')
    AND (grin_state IS NULL OR grin_state = '' OR grin_state NOT IN ('CHECKED_IN', 'NOT_AVAILABLE_FOR_DOWNLOAD'))`,
};

function conversionExclusion(includeConversionFailed: boolean): string {
  const values = includeConversionFailed ? "('unavailable')" : "('unavailable', 'conversion_failed')";
  return `NOT EXISTS (SELECT 1 FROM book_status_history h
    WHERE h.barcode = books.barcode AND h.status_type = 'conversion' AND h.status_value IN ${values})`;
}

/** Sync's selection queries: what is synced, and the catalogue-based queues. */
export class SyncSelection {
  private readonly syncedStmt: Statement;
  private readonly etagStmt: Statement;
  private readonly queueStmts = new Map<string, Statement>();

  constructor(private readonly db: Database) {
    this.syncedStmt = db.prepare('SELECT sync_timestamp IS NOT NULL FROM books WHERE barcode = ?').pluck();
    this.etagStmt = db
      .prepare('SELECT encrypted_etag FROM books WHERE barcode = ? AND sync_timestamp IS NOT NULL')
      .pluck();
  }

  /** Whether the volume's archive was stored and verified (the synced event was recorded). */
  isSynced(barcode: string): boolean {
    return this.syncedStmt.get(barcode) === 1;
  }

  /** The encrypted ETag recorded by the last synced event, or null if never synced. */
  syncedEtag(barcode: string): string | null {
    return (this.etagStmt.get(barcode) as string | null | undefined) ?? null;
  }

  /**
   * Barcodes of a catalogue queue in catalogue (listing) order, by keyset pagination on rowid:
   * no statement stays open between batches, so the caller can keep writing statuses meanwhile.
   * - previous: grin_state PREVIOUSLY_DOWNLOADED, never requested by this tool;
   * - unconverted: never requested, no converted date, no check-in date, state empty or not
   *   CHECKED_IN / NOT_AVAILABLE_FOR_DOWNLOAD;
   * both without verified-unavailable / failed-conversion history (see `QueueOptions`).
   */
  *iterateQueue(queue: CatalogueQueue, options: QueueOptions = {}): Generator<string> {
    const stmt = this.queueStatement(queue, options);
    const batchSize = options.batchSize ?? 2000;
    const limit = options.limit ?? Infinity;
    let after = 0;
    let yielded = 0;
    while (yielded < limit) {
      const rows = stmt.all(after, batchSize) as [number, string][];
      for (const [, barcode] of rows) {
        if (options.exclude?.has(barcode)) continue;
        yield barcode;
        if (++yielded >= limit) return;
      }
      if (rows.length < batchSize) return;
      after = rows[rows.length - 1]![0];
    }
  }

  /** How many barcodes `iterateQueue` would yield with these options. */
  countQueue(queue: CatalogueQueue, options: QueueOptions = {}): number {
    let n = 0;
    for (const _ of this.iterateQueue(queue, { ...options, batchSize: options.batchSize ?? 20_000 })) n++;
    return n;
  }

  private queueStatement(queue: CatalogueQueue, options: QueueOptions): Statement {
    const excludeSynced = options.excludeSynced ?? true;
    const includeFailed = options.includeConversionFailed ?? false;
    const key = `${queue}|${excludeSynced}|${includeFailed}`;
    let stmt = this.queueStmts.get(key);
    if (!stmt) {
      const where = [QUEUE_WHERE[queue], conversionExclusion(includeFailed)];
      if (excludeSynced) where.push(NOT_SYNCED);
      stmt = this.db
        .prepare(
          `SELECT rowid, barcode FROM books WHERE rowid > ? AND ${where.join(' AND ')} ORDER BY rowid LIMIT ?`,
        )
        .raw();
      this.queueStmts.set(key, stmt);
    }
    return stmt;
  }
}
