/** Lifecycle of one process's work on a stage of the run. */
export type SessionStatus = 'running' | 'completed' | 'interrupted' | 'failed';

/** Numeric counters of a session (stage specific: `inserted`, `synced`, `failed`, ...). */
export type SessionCounts = Record<string, number>;

export interface StartSessionInput {
  /** Stage name, e.g. `collect` or `sync`. */
  stage: string;
  /** Command parameters (never secrets). Stored as JSON. */
  args?: unknown | undefined;
  /** Hash of the parameters that must not change between resumes (the tracker warns when they do). */
  configHash?: string | null | undefined;
  /** Defaults: this process's pid, user, host and Node version. */
  pid?: number | undefined;
  user?: string | null | undefined;
  host?: string | null | undefined;
  nodeVersion?: string | null | undefined;
  counts?: SessionCounts | undefined;
}

export interface SessionUpdate {
  /** Shallow-merged into the stored counts (keys not given are kept). */
  counts?: SessionCounts | undefined;
  /** Active runtime of this session so far (replaces the stored value). */
  runtimeSeconds?: number | undefined;
  /** Bytes transferred by this session so far (replaces the stored value). */
  bytes?: number | undefined;
}

/** One row of `run_sessions`. */
export interface RunSession {
  id: number;
  stage: string;
  startedAt: string;
  /** Set by `endSession`, or to the last update time when found interrupted. */
  endedAt: string | null;
  /** Last time the session was written (start, update, counts, end). */
  updatedAt: string;
  status: SessionStatus;
  runtimeSeconds: number;
  pid: number | null;
  user: string | null;
  host: string | null;
  nodeVersion: string | null;
  args: unknown;
  configHash: string | null;
  counts: SessionCounts;
  bytes: number;
  error: string | null;
}

/** Aggregate of all sessions of one stage: what a progress tracker shows on resume. */
export interface StageSessionSummary {
  stage: string;
  sessions: number;
  /** sessions - 1 when there is at least one. */
  resumeCount: number;
  interruptions: number;
  failures: number;
  /** Sum of the sessions' active runtimes. */
  runtimeSeconds: number;
  /** Per key sum over sessions. */
  counts: SessionCounts;
  bytes: number;
  firstStartedAt: string | null;
  lastUpdatedAt: string | null;
  last: RunSession | null;
}
