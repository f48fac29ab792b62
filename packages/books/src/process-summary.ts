import { writeFileAtomically } from './atomic-file.js';
import type { RunSession, SessionCounts, SessionStatus } from './session-types.js';

/** One stage of `process_summary.json` (reference 9.3, reduced to what the sessions record). */
export interface StageSummary {
  start_time: string;
  /** Null while the last session of the stage is running. */
  end_time: string | null;
  /** Active runtime summed over the stage's sessions. */
  duration_seconds: number;
  sessions: number;
  resume_count: number;
  interruptions: number;
  failures: number;
  status: SessionStatus;
  is_completed: boolean;
  /** Counters summed over the sessions (processed, succeeded, skipped, failed, by reason, ...). */
  counts: SessionCounts;
  bytes: number;
  last_error: string | null;
  command_args: unknown;
  config_hash: string | null;
}

/** Content of `output/RUN/process_summary.json`, rebuilt from `run_sessions` (the source of truth). */
export interface ProcessSummary {
  run_name: string;
  run_start_time: string | null;
  run_end_time: string | null;
  total_duration_seconds: number;
  interruption_count: number;
  session_count: number;
  stages: Record<string, StageSummary>;
  active_stages: string[];
  completed_stages: string[];
  is_completed: boolean;
  has_errors: boolean;
  generated_at: string;
}

/** Builds the summary from all sessions (any order); `generatedAt` in the catalogue's format. */
export function buildProcessSummary(runName: string, sessions: readonly RunSession[], generatedAt: string): ProcessSummary {
  const byStage = new Map<string, RunSession[]>();
  for (const s of [...sessions].sort((a, b) => a.id - b.id)) {
    const list = byStage.get(s.stage) ?? [];
    list.push(s);
    byStage.set(s.stage, list);
  }
  const stages: Record<string, StageSummary> = {};
  for (const [stage, list] of byStage) stages[stage] = summarizeStage(list);
  const all = Object.values(stages);
  const active = Object.entries(stages).filter(([, s]) => s.status === 'running').map(([n]) => n);
  const ends = all.map((s) => s.end_time);
  return {
    run_name: runName,
    run_start_time: all.map((s) => s.start_time).sort()[0] ?? null,
    run_end_time: active.length > 0 || ends.length === 0 ? null : (ends as string[]).sort().at(-1) ?? null,
    total_duration_seconds: all.reduce((sum, s) => sum + s.duration_seconds, 0),
    interruption_count: all.reduce((sum, s) => sum + s.interruptions, 0),
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
export async function writeProcessSummary(path: string, summary: ProcessSummary): Promise<void> {
  await writeFileAtomically(path, async (file) => {
    await file.write(`${JSON.stringify(summary, null, 2)}\n`);
  });
}

function summarizeStage(list: RunSession[]): StageSummary {
  const first = list[0]!;
  const last = list[list.length - 1]!;
  const counts: SessionCounts = {};
  for (const s of list) for (const [k, v] of Object.entries(s.counts)) counts[k] = (counts[k] ?? 0) + v;
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
    counts,
    bytes: list.reduce((sum, s) => sum + s.bytes, 0),
    last_error: lastError,
    command_args: last.args,
    config_hash: last.configHash,
  };
}
