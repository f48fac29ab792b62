import { writeJsonAtomic } from '@grin/run';
import type { RunSession, SessionCounts, SessionStatus } from './session-types.js';
import { addTotals, countsByReason, mergeCounts, sessionTotals, ZERO_TOTALS, type StageTotals } from './stage-totals.js';

/** One session of a stage, as listed in the summary (where the interruptions and resumes are). */
export interface SessionEntry {
  id: number;
  status: SessionStatus;
  started_at: string;
  ended_at: string | null;
  runtime_seconds: number;
  bytes: number;
  error: string | null;
}

/** One stage of `process_summary.json` (reference 9.3, reduced to what the sessions record). */
export interface StageSummary {
  start_time: string;
  /** Null while the last session of the stage is running. */
  end_time: string | null;
  /** Active runtime summed over the stage's sessions. */
  duration_seconds: number;
  sessions: number;
  /** Sessions after the first one. */
  resume_count: number;
  /** Sessions that ended interrupted (Ctrl-C, limit, or found dead after a kill). */
  interruptions: number;
  /** Sessions that ended failed. */
  failures: number;
  status: SessionStatus;
  is_completed: boolean;
  /** Processed / succeeded / skipped / failed items, summed over the sessions (see `sessionTotals`). */
  totals: StageTotals;
  /** `kind:reason` counters grouped by kind, e.g. `{ skipped: { etag_match: 3 } }`. */
  by_reason: Record<string, Record<string, number>>;
  /** All counters summed over the sessions, as recorded. */
  counts: SessionCounts;
  bytes: number;
  last_error: string | null;
  command_args: unknown;
  config_hash: string | null;
  /** Every session of the stage, oldest first. */
  session_history: SessionEntry[];
}

/** Content of `output/RUN/process_summary.json`, rebuilt from `run_sessions` (the source of truth). */
export interface ProcessSummary {
  run_name: string;
  run_start_time: string | null;
  run_end_time: string | null;
  total_duration_seconds: number;
  interruption_count: number;
  /** Last time any session recorded progress. */
  last_checkpoint_time: string | null;
  /** Failed items over all stages (the stages' `totals.failed`). */
  total_error_count: number;
  session_count: number;
  stages: Record<string, StageSummary>;
  active_stages: string[];
  completed_stages: string[];
  is_completed: boolean;
  has_errors: boolean;
  generated_at: string;
}

/**
 * Builds the summary from all sessions (any order); `generatedAt` in the catalogue's format. Both
 * apps write process_summary.json from this, so rewriting it from either keeps every field.
 */
export function buildProcessSummary(runName: string, sessions: readonly RunSession[], generatedAt: string): ProcessSummary {
  const byStage = new Map<string, RunSession[]>();
  for (const s of [...sessions].sort((a, b) => a.id - b.id)) {
    const list = byStage.get(s.stage) ?? [];
    list.push(s);
    byStage.set(s.stage, list);
  }
  const stages: Record<string, StageSummary> = {};
  for (const [stage, list] of byStage) stages[stage] = summarizeStage(stage, list);
  const all = Object.values(stages);
  const active = Object.entries(stages).filter(([, s]) => s.status === 'running').map(([n]) => n);
  const ends = all.map((s) => s.end_time);
  return {
    run_name: runName,
    run_start_time: all.map((s) => s.start_time).sort()[0] ?? null,
    run_end_time: active.length > 0 || ends.length === 0 ? null : (ends as string[]).sort().at(-1) ?? null,
    total_duration_seconds: all.reduce((sum, s) => sum + s.duration_seconds, 0),
    interruption_count: all.reduce((sum, s) => sum + s.interruptions, 0),
    last_checkpoint_time: sessions.map((s) => s.updatedAt).sort().at(-1) ?? null,
    total_error_count: all.reduce((sum, s) => sum + s.totals.failed, 0),
    session_count: sessions.length,
    stages,
    active_stages: active,
    completed_stages: Object.entries(stages).filter(([, s]) => s.is_completed).map(([n]) => n),
    is_completed: all.length > 0 && all.every((s) => s.is_completed),
    has_errors: all.some((s) => s.failures > 0 || s.last_error !== null),
    generated_at: generatedAt,
  };
}

/** Writes the summary as pretty JSON, atomically (temp file + rename). */
export function writeProcessSummary(path: string, summary: ProcessSummary): Promise<void> {
  return writeJsonAtomic(path, summary);
}

function summarizeStage(stage: string, list: RunSession[]): StageSummary {
  const first = list[0]!;
  const last = list[list.length - 1]!;
  const counts: SessionCounts = {};
  let totals = ZERO_TOTALS;
  for (const s of list) {
    mergeCounts(counts, s.counts);
    totals = addTotals(totals, sessionTotals(stage, s.counts));
  }
  const lastError = [...list].reverse().find((s) => s.error !== null)?.error ?? null;
  return {
    start_time: first.startedAt,
    end_time: last.status === 'running' ? null : (last.endedAt ?? last.updatedAt),
    duration_seconds: list.reduce((sum, s) => sum + s.runtimeSeconds, 0),
    sessions: list.length,
    resume_count: list.length - 1,
    interruptions: list.filter((s) => s.status === 'interrupted').length,
    failures: list.filter((s) => s.status === 'failed').length,
    status: last.status,
    is_completed: last.status === 'completed',
    totals,
    by_reason: countsByReason(counts),
    counts,
    bytes: list.reduce((sum, s) => sum + s.bytes, 0),
    last_error: lastError,
    command_args: last.args,
    config_hash: last.configHash,
    session_history: list.map((s) => ({
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
