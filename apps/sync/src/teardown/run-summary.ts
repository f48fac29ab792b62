import { buildProcessSummary, type ProcessSummary, type RunSession, type SessionCounts, type StageSummary } from '@grin/books';
import type { TeardownItem } from './teardown-types.js';

/** The four headline counters of a stage (the processed / succeeded / skipped / failed). */
export interface StageTotals {
  /** Items that reached an end state (sync: synced + skipped + not available + failed). */
  processed: number;
  succeeded: number;
  skipped: number;
  failed: number;
}

/** One session of a stage, as listed in the summary (start/end, interruptions are visible here). */
export interface SessionEntry {
  id: number;
  status: RunSession['status'];
  started_at: string;
  ended_at: string | null;
  runtime_seconds: number;
  bytes: number;
  error: string | null;
}

/** A stage of `process_summary.json`: @grin/books' stage plus totals, reasons and sessions. */
export interface RunStageSummary extends StageSummary {
  totals: StageTotals;
  /**
   * Counters of `kind:reason` session keys grouped by kind, e.g.
   * `{ skipped: { etag_match: 3 }, failed: { decrypt_bad_passphrase: 1 }, conversion: { requested: 5 } }`.
   */
  by_reason: Record<string, Record<string, number>>;
  session_history: SessionEntry[];
}

/** `process_summary.json` as the sync app writes it (a superset of @grin/books' ProcessSummary). */
export interface RunSummary extends Omit<ProcessSummary, 'stages'> {
  stages: Record<string, RunStageSummary>;
  /** Outcome of the teardown items that ran before the summary was written. */
  teardown?: { items: TeardownItem[] };
}

const n = (c: SessionCounts, key: string): number => c[key] ?? 0;

/** How each known stage's counters map to the headline totals; other stages use the same names. */
const STAGE_TOTALS: Record<string, (c: SessionCounts) => StageTotals> = {
  sync: (c) => ({
    processed: n(c, 'synced') + n(c, 'skipped') + n(c, 'unavailable') + n(c, 'failed'),
    succeeded: n(c, 'synced'),
    skipped: n(c, 'skipped'),
    failed: n(c, 'failed'),
  }),
  collect: (c) => ({
    processed: n(c, 'rowsSeen'),
    succeeded: n(c, 'inserted') + n(c, 'updated') + n(c, 'unchanged'),
    skipped: n(c, 'withoutBarcode'),
    failed: n(c, 'failed'),
  }),
};

function defaultTotals(c: SessionCounts): StageTotals {
  return { processed: n(c, 'processed'), succeeded: n(c, 'succeeded'), skipped: n(c, 'skipped'), failed: n(c, 'failed') };
}

function byReason(counts: SessionCounts): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const [key, value] of Object.entries(counts)) {
    const colon = key.indexOf(':');
    if (colon <= 0) continue;
    const kind = key.slice(0, colon);
    (out[kind] ??= {})[key.slice(colon + 1)] = value;
  }
  return out;
}

/**
 * The run's summary rebuilt from all sessions (the source of truth) with @grin/books'
 * `buildProcessSummary`, extended per stage with `totals`, `by_reason` and `session_history`.
 */
export function buildRunSummary(
  runName: string,
  sessions: readonly RunSession[],
  generatedAt: string,
  teardown?: readonly TeardownItem[],
): RunSummary {
  const base = buildProcessSummary(runName, sessions, generatedAt);
  const stages: Record<string, RunStageSummary> = {};
  for (const [stage, summary] of Object.entries(base.stages)) {
    const totals = (STAGE_TOTALS[stage] ?? defaultTotals)(summary.counts);
    stages[stage] = {
      ...summary,
      totals,
      by_reason: byReason(summary.counts),
      session_history: sessions
        .filter((s) => s.stage === stage)
        .sort((a, b) => a.id - b.id)
        .map((s) => ({
          id: s.id,
          status: s.status,
          started_at: s.startedAt,
          ended_at: s.endedAt,
          runtime_seconds: s.runtimeSeconds,
          bytes: s.bytes,
          error: s.error,
        })),
    };
  }
  const teardownFailed = teardown?.some((item) => !item.ok) ?? false;
  return {
    ...base,
    stages,
    has_errors: base.has_errors || teardownFailed,
    ...(teardown === undefined ? {} : { teardown: { items: [...teardown] } }),
  };
}
