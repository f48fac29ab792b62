import type { ListingCursor, SessionCounts } from '@grin/books';
import { formatDuration } from '@grin/progress';
import type { CollectParameters, JobMetadata } from './job-metadata.js';

/** Where the total estimate of a walk comes from. */
export type TotalEstimateMethod = 'expected_total' | 'previous_walk' | 'unknown';

/** State of the tracker: what is running, finished, or why it stopped. */
export type TrackerState = 'running' | 'completed' | 'interrupted' | 'limit' | 'failed';

/** Everything progress.json shows, gathered by the tracker from SQLite. */
export interface ProgressState {
  runName: string;
  list: string;
  state: TrackerState;
  updatedAt: Date;
  job: JobMetadata;
  parameters: CollectParameters;
  configHash: string;
  sessionId: number;
  sessionStartedAt: string;
  resumeCount: number;
  sessionCounts: SessionCounts;
  allSessionCounts: SessionCounts;
  sessionRuntimeSeconds: number;
  previousRuntimeSeconds: number;
  totalEstimate: number | null;
  totalEstimateMethod: TotalEstimateMethod;
  cursor: ListingCursor | undefined;
  databasePath: string;
  lastError: string | null;
}

/** Counts in the tracker's vocabulary (new/updated/unchanged/without barcode/failed). */
export function namedCounts(counts: SessionCounts): Record<string, number> {
  return {
    pages: counts['pages'] ?? 0,
    rows_seen: counts['rowsSeen'] ?? 0,
    new: counts['inserted'] ?? 0,
    updated: counts['updated'] ?? 0,
    unchanged: counts['unchanged'] ?? 0,
    without_barcode: counts['withoutBarcode'] ?? 0,
    failed: counts['failed'] ?? 0,
  };
}

/**
 * The content of progress.json (the seed's progress file, reference 4.2, adapted): SQLite is the
 * truth, this is a readable mirror for people and tools.
 */
export function buildProgressDocument(s: ProgressState): Record<string, unknown> {
  const totalRuntime = s.previousRuntimeSeconds + s.sessionRuntimeSeconds;
  const wallClock = Math.max(0, (s.updatedAt.getTime() - Date.parse(s.job.job_started)) / 1000);
  const sessionRows = s.sessionCounts['rowsSeen'] ?? 0;
  const rate = s.sessionRuntimeSeconds > 0 ? sessionRows / s.sessionRuntimeSeconds : null;
  const walkRows = s.cursor?.rowsSeen ?? 0;
  const walkDone = s.cursor?.completedAt != null;
  const remaining = s.totalEstimate === null || walkDone ? null : Math.max(0, s.totalEstimate - walkRows);
  const percent =
    walkDone ? 100 : s.totalEstimate === null || s.totalEstimate === 0 ? null : Math.min(100, (100 * walkRows) / s.totalEstimate);
  return {
    updated: s.updatedAt.toISOString(),
    run_name: s.runName,
    list: s.list,
    state: s.state,
    job_metadata: { ...s.job, parameters: s.parameters, config_hash: s.configHash, pid: process.pid },
    resume_count: s.resumeCount,
    session: { id: s.sessionId, started_at: s.sessionStartedAt, runtime_seconds: round(s.sessionRuntimeSeconds) },
    total_books_estimate: s.totalEstimate,
    current_status: {
      ...namedCounts(s.sessionCounts),
      last_error: s.lastError,
    },
    counts: {
      this_session: namedCounts(s.sessionCounts),
      all_sessions: namedCounts(s.allSessionCounts),
      this_walk: s.cursor
        ? {
            pages: s.cursor.pagesStored,
            rows_seen: s.cursor.rowsSeen,
            new: s.cursor.rowsInserted,
            updated: s.cursor.rowsUpdated,
            unchanged: s.cursor.rowsUnchanged,
            without_barcode: s.cursor.rowsWithoutBarcode,
          }
        : null,
    },
    performance_metrics: {
      records_per_second: rate === null ? null : round(rate),
      records_per_hour: rate === null ? null : Math.round(rate * 3600),
      estimated_remaining_seconds: rate === null || rate === 0 || remaining === null ? null : Math.round(remaining / rate),
    },
    progress_tracking: {
      completion_percentage: percent === null ? null : round(percent),
      total_estimate_method: s.totalEstimateMethod,
    },
    runtime_tracking: {
      total_runtime_seconds: round(totalRuntime),
      total_runtime: formatDuration(totalRuntime),
      wall_clock_elapsed_seconds: round(wallClock),
      wall_clock_elapsed: formatDuration(wallClock),
      resume_count: s.resumeCount,
      explanation:
        'total_runtime is the time spent collecting, summed over all sessions; wall_clock_elapsed ' +
        'runs from the first session start and includes the pauses between sessions.',
    },
    pagination_state: s.cursor
      ? {
          list: s.cursor.list,
          current_page: s.cursor.pageNumber,
          next_url: s.cursor.nextUrl,
          page_size: s.cursor.pageSize,
          rows_seen: s.cursor.rowsSeen,
          pages_stored: s.cursor.pagesStored,
          walk_started_at: s.cursor.startedAt,
          completed_at: s.cursor.completedAt,
          total_rows_last_walk: s.cursor.totalRowsLastWalk,
        }
      : null,
    sqlite_info: {
      database_path: s.databasePath,
      session_id: s.sessionId,
      note: 'books.db is the source of truth (books, listing_cursor, run_sessions, run_metadata); this file mirrors it.',
    },
  };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
