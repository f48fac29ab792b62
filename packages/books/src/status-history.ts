import type { Database } from 'better-sqlite3';

/** One `book_status_history` row with its metadata parsed. */
export interface StatusHistoryEntry {
  id: number;
  barcode: string;
  statusType: string;
  statusValue: string;
  timestamp: string;
  sessionId: number | null;
  metadata: Record<string, unknown> | null;
}

interface HistoryRecord {
  id: number;
  barcode: string;
  status_type: string;
  status_value: string;
  timestamp: string;
  session_id: number | null;
  metadata: string | null;
}

/** History of one book in event order (timestamp, then insertion id for equal timestamps). */
export function readStatusHistory(db: Database, barcode: string, statusType?: string): StatusHistoryEntry[] {
  const records = (
    statusType === undefined
      ? db.prepare('SELECT * FROM book_status_history WHERE barcode = ? ORDER BY timestamp, id').all(barcode)
      : db
          .prepare(
            'SELECT * FROM book_status_history WHERE barcode = ? AND status_type = ? ORDER BY timestamp, id',
          )
          .all(barcode, statusType)
  ) as HistoryRecord[];
  return records.map((r) => ({
    id: r.id,
    barcode: r.barcode,
    statusType: r.status_type,
    statusValue: r.status_value,
    timestamp: r.timestamp,
    sessionId: r.session_id,
    metadata: r.metadata === null ? null : (JSON.parse(r.metadata) as Record<string, unknown>),
  }));
}
