import { describe, expect, it } from 'vitest';
import { buildProcessSummary, type RunSession } from '../src/index.js';

function session(id: number, stage: string, fields: Partial<RunSession> = {}): RunSession {
  return {
    id,
    stage,
    startedAt: `2025-01-0${id}T00:00:00.000+00:00`,
    endedAt: `2025-01-0${id}T01:00:00.000+00:00`,
    updatedAt: `2025-01-0${id}T01:00:00.000+00:00`,
    status: 'completed',
    runtimeSeconds: 10,
    pid: 1,
    user: null,
    host: null,
    nodeVersion: null,
    args: null,
    configHash: null,
    counts: {},
    bytes: 0,
    error: null,
    ...fields,
  };
}

describe('buildProcessSummary', () => {
  it('gives every stage its totals, reasons grouped by kind and the session history', () => {
    const summary = buildProcessSummary(
      'r',
      [
        session(3, 'sync', { counts: { synced: 2, failed: 1, 'conversion:requested': 2, 'failed:verify_failed': 1 }, bytes: 300 }),
        session(1, 'enrich', { counts: { processed: 9, succeeded: 7, skipped: 1, failed: 1, 'failed:timeout': 1 } }),
        session(2, 'sync', {
          counts: { synced: 1, skipped: 2, unavailable: 4, 'skipped:etag_match': 2, 'conversion:requested': 3, 'conversion:limit_reached': 1 },
          status: 'interrupted',
          error: 'interrupted by SIGINT',
          bytes: 100,
        }),
      ],
      '2025-01-09T00:00:00.000+00:00',
    );
    expect(summary.stages['enrich']).toMatchObject({ totals: { processed: 9, succeeded: 7, skipped: 1, failed: 1 }, by_reason: { failed: { timeout: 1 } } });
    expect(summary.stages['sync']).toMatchObject({
      // processed = synced + skipped + unavailable + failed, over both sessions.
      totals: { processed: 10, succeeded: 3, skipped: 2, failed: 1 },
      by_reason: { conversion: { requested: 5, limit_reached: 1 }, failed: { verify_failed: 1 }, skipped: { etag_match: 2 } },
      start_time: '2025-01-02T00:00:00.000+00:00',
      end_time: '2025-01-03T01:00:00.000+00:00',
      duration_seconds: 20,
      bytes: 400,
      sessions: 2,
      interruptions: 1,
      resume_count: 1,
      last_error: 'interrupted by SIGINT',
    });
    expect(summary.stages['sync']?.session_history).toEqual([
      { id: 2, status: 'interrupted', started_at: '2025-01-02T00:00:00.000+00:00', ended_at: '2025-01-02T01:00:00.000+00:00', runtime_seconds: 10, bytes: 100, error: 'interrupted by SIGINT' },
      { id: 3, status: 'completed', started_at: '2025-01-03T00:00:00.000+00:00', ended_at: '2025-01-03T01:00:00.000+00:00', runtime_seconds: 10, bytes: 300, error: null },
    ]);
    expect(summary).toMatchObject({
      run_start_time: '2025-01-01T00:00:00.000+00:00',
      run_end_time: '2025-01-03T01:00:00.000+00:00',
      last_checkpoint_time: '2025-01-03T01:00:00.000+00:00',
      total_error_count: 2,
      interruption_count: 1,
      session_count: 3,
    });
  });

  it("takes a session's own processed/succeeded/skipped/failed when recorded, else derives them from the stage's counters", () => {
    const summary = buildProcessSummary(
      'r',
      [
        // An older collect session with @grin/books' listing counters only.
        session(1, 'collect', { counts: { pages: 2, rowsSeen: 20, inserted: 15, updated: 2, unchanged: 1, withoutBarcode: 2 }, status: 'interrupted' }),
        // A collect session whose tracker also recorded the headline counters (failed = pages).
        session(2, 'collect', { counts: { pages: 1, rowsSeen: 10, inserted: 10, processed: 10, succeeded: 10, skipped: 0, failed: 1 } }),
        session(3, 'other', { counts: { done: 4 } }),
      ],
      'now',
    );
    expect(summary.stages['collect']?.totals).toEqual({ processed: 30, succeeded: 28, skipped: 2, failed: 1 });
    expect(summary.stages['collect']?.by_reason).toEqual({});
    expect(summary.stages['other']?.totals).toEqual({ processed: 0, succeeded: 0, skipped: 0, failed: 0 });
  });

  it('is empty but well-formed without sessions', () => {
    expect(buildProcessSummary('r', [], 'now')).toMatchObject({
      run_start_time: null,
      run_end_time: null,
      last_checkpoint_time: null,
      total_error_count: 0,
      stages: {},
      is_completed: false,
      has_errors: false,
    });
  });
});
