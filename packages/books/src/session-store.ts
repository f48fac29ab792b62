import { hostname, userInfo } from 'node:os';
import type { Database, Statement } from 'better-sqlite3';
import type { ProcessAliveCheck } from './process-alive.js';
import type {
  RunSession,
  SessionCounts,
  SessionStatus,
  SessionUpdate,
  StageSessionSummary,
  StartSessionInput,
} from './session-types.js';
import { mergeCounts } from './stage-totals.js';
import { isoTimestamp, type Clock } from './timestamp.js';

interface SessionRecord {
  id: number;
  stage: string;
  started_at: string;
  ended_at: string | null;
  updated_at: string;
  status: SessionStatus;
  runtime_seconds: number;
  pid: number | null;
  user: string | null;
  host: string | null;
  node_version: string | null;
  args: string | null;
  config_hash: string | null;
  counts: string;
  bytes: number;
  error: string | null;
}

/** `run_sessions`: one row per process working on a stage (collect, sync, ...). */
export class SessionStore {
  private readonly insertStmt: Statement;
  private readonly interruptOthers: Statement;
  private readonly selectById: Statement;
  private readonly selectCounts: Statement;
  private readonly writeCounts: Statement;
  private readonly updateStmt: Statement;
  private readonly endStmt: Statement;

  constructor(
    private readonly db: Database,
    private readonly now: Clock,
  ) {
    this.insertStmt = db.prepare(
      `INSERT INTO run_sessions (stage, started_at, updated_at, status, pid, user, host, node_version,
         args, config_hash, counts)
       VALUES (@stage, @ts, @ts, 'running', @pid, @user, @host, @nodeVersion, @args, @configHash, @counts)`,
    );
    this.interruptOthers = db.prepare(
      `UPDATE run_sessions SET status = 'interrupted', ended_at = updated_at
       WHERE status = 'running' AND NOT (pid IS @pid AND host IS @host)`,
    );
    this.selectById = db.prepare('SELECT * FROM run_sessions WHERE id = ?');
    this.selectCounts = db.prepare('SELECT counts FROM run_sessions WHERE id = ?').pluck();
    this.writeCounts = db.prepare('UPDATE run_sessions SET counts = ?, updated_at = ? WHERE id = ?');
    this.updateStmt = db.prepare(
      'UPDATE run_sessions SET counts = ?, runtime_seconds = ?, bytes = ?, updated_at = ? WHERE id = ?',
    );
    this.endStmt = db.prepare(
      'UPDATE run_sessions SET status = ?, ended_at = ?, updated_at = ?, error = ? WHERE id = ?',
    );
  }

  /**
   * Records a new running session and returns its id. Sessions still marked running by any other
   * process are marked interrupted first: the caller holds the run lock, so they cannot be live.
   */
  start(input: StartSessionInput): number {
    const ts = isoTimestamp(this.now());
    const pid = input.pid ?? process.pid;
    const host = input.host === undefined ? hostname() : input.host;
    return this.db.transaction(() => {
      this.interruptOthers.run({ pid, host });
      const info = this.insertStmt.run({
        stage: input.stage,
        ts,
        pid,
        user: input.user === undefined ? currentUser() : input.user,
        host,
        nodeVersion: input.nodeVersion === undefined ? process.version : input.nodeVersion,
        args: input.args === undefined ? null : JSON.stringify(input.args),
        configHash: input.configHash ?? null,
        counts: JSON.stringify(input.counts ?? {}),
      });
      return Number(info.lastInsertRowid);
    })();
  }

  /** Merges counts, replaces runtime/bytes; throws for an unknown id. */
  update(id: number, update: SessionUpdate): void {
    const ts = isoTimestamp(this.now());
    this.db.transaction(() => {
      const current = this.mustGet(id);
      const counts = update.counts ? { ...current.counts, ...update.counts } : current.counts;
      this.updateStmt.run(
          JSON.stringify(counts),
          update.runtimeSeconds ?? current.runtimeSeconds,
          update.bytes ?? current.bytes,
          ts,
          id,
        );
    })();
  }

  /** Adds `deltas` to the session's counts (used inside the listing transaction). */
  addCounts(id: number, deltas: SessionCounts): void {
    const stored = this.selectCounts.get(id) as string | undefined;
    if (stored === undefined) throw new Error(`run session ${id} does not exist`);
    const counts = mergeCounts(JSON.parse(stored) as SessionCounts, deltas);
    this.writeCounts.run(JSON.stringify(counts), isoTimestamp(this.now()), id);
  }

  /** Ends a session with its final status (and error text for `failed`/`interrupted`). */
  end(id: number, status: Exclude<SessionStatus, 'running'>, error?: string | Error | null): void {
    const ts = isoTimestamp(this.now());
    this.mustGet(id);
    const message = error instanceof Error ? `${error.name}: ${error.message}` : (error ?? null);
    this.endStmt.run(status, ts, ts, message, id);
  }

  get(id: number): RunSession | undefined {
    const record = this.selectById.get(id) as SessionRecord | undefined;
    return record && toSession(record);
  }

  /** Sessions in start order, optionally of one stage. */
  list(stage?: string): RunSession[] {
    const records = (
      stage === undefined
        ? this.db.prepare('SELECT * FROM run_sessions ORDER BY id').all()
        : this.db.prepare('SELECT * FROM run_sessions WHERE stage = ? ORDER BY id').all(stage)
    ) as SessionRecord[];
    return records.map(toSession);
  }

  summarize(stage: string): StageSessionSummary {
    const sessions = this.list(stage);
    const counts: SessionCounts = {};
    for (const s of sessions) mergeCounts(counts, s.counts);
    const last = sessions[sessions.length - 1] ?? null;
    return {
      stage,
      sessions: sessions.length,
      resumeCount: Math.max(0, sessions.length - 1),
      interruptions: sessions.filter((s) => s.status === 'interrupted').length,
      failures: sessions.filter((s) => s.status === 'failed').length,
      runtimeSeconds: sessions.reduce((sum, s) => sum + s.runtimeSeconds, 0),
      counts,
      bytes: sessions.reduce((sum, s) => sum + s.bytes, 0),
      firstStartedAt: sessions[0]?.startedAt ?? null,
      lastUpdatedAt: last?.updatedAt ?? null,
      last,
    };
  }

  /** Marks running sessions of dead processes on this host as interrupted; returns how many. */
  interruptDead(host: string, isAlive: ProcessAliveCheck): number {
    const running = this.db
      .prepare("SELECT id, pid FROM run_sessions WHERE status = 'running' AND host IS ?")
      .all(host) as { id: number; pid: number | null }[];
    const dead = running.filter((s) => s.pid === null || (s.pid !== process.pid && !isAlive(s.pid)));
    const mark = this.db.prepare(
      "UPDATE run_sessions SET status = 'interrupted', ended_at = updated_at WHERE id = ?",
    );
    this.db.transaction(() => dead.forEach((s) => mark.run(s.id)))();
    return dead.length;
  }

  private mustGet(id: number): RunSession {
    const session = this.get(id);
    if (!session) throw new Error(`run session ${id} does not exist`);
    return session;
  }
}

function currentUser(): string | null {
  try {
    return userInfo().username;
  } catch {
    return process.env['USER'] ?? process.env['USERNAME'] ?? null;
  }
}

function toSession(r: SessionRecord): RunSession {
  return {
    id: r.id,
    stage: r.stage,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    updatedAt: r.updated_at,
    status: r.status,
    runtimeSeconds: r.runtime_seconds,
    pid: r.pid,
    user: r.user,
    host: r.host,
    nodeVersion: r.node_version,
    args: r.args === null ? null : (JSON.parse(r.args) as unknown),
    configHash: r.config_hash,
    counts: JSON.parse(r.counts) as SessionCounts,
    bytes: r.bytes,
    error: r.error,
  };
}
