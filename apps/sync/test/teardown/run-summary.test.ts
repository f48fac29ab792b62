import { buildProcessSummary, type RunSession } from '@grin/books';
import { describe, expect, it } from 'vitest';
import { buildRunSummary, formatRunTimestamp } from '../../src/teardown/index.js';

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

const sessions = [
  session(1, 'collect', { counts: { rowsSeen: 5, inserted: 5, processed: 5, succeeded: 5, skipped: 0, failed: 0 } }),
  session(2, 'sync', { counts: { synced: 1, unavailable: 4, 'conversion:requested': 3 }, status: 'interrupted' }),
  session(3, 'sync', { counts: { synced: 2, failed: 1, 'failed:verify_failed': 1 } }),
];

describe('buildRunSummary', () => {
  it("is exactly @grin/books' process summary (what collect writes) when no teardown ran", () => {
    const summary = buildRunSummary('r', sessions, '2025-01-09T00:00:00.000+00:00');
    expect(summary).toEqual(buildProcessSummary('r', sessions, '2025-01-09T00:00:00.000+00:00'));
    expect(summary.stages['sync']).toMatchObject({ totals: { processed: 8, succeeded: 3, skipped: 0, failed: 1 }, resume_count: 1 });
    expect(summary.teardown).toBeUndefined();
  });

  it('adds only the teardown section; a failed teardown item marks the run as having errors', () => {
    const base = buildProcessSummary('r', sessions, 'now');
    const ok = buildRunSummary('r', sessions, 'now', [{ name: 'csv_export', ok: true, rows: 1 }]);
    expect(ok).toEqual({ ...base, teardown: { items: [{ name: 'csv_export', ok: true, rows: 1 }] } });
    expect(ok.has_errors).toBe(false);

    const failed = buildRunSummary('r', sessions, 'now', [
      { name: 'csv_export', ok: true, rows: 1 },
      { name: 'database_latest', ok: false, error: { code: 'storage_write_failed', message: 'no bucket' } },
    ]);
    expect(failed).toEqual({ ...base, has_errors: true, teardown: { items: failed.teardown?.items } });
    expect(failed.teardown?.items).toHaveLength(2);
  });
});

describe('formatRunTimestamp', () => {
  it('is YYYYMMDD_HHMMSS in UTC', () => {
    expect(formatRunTimestamp(new Date(Date.UTC(2025, 11, 31, 23, 59, 58)))).toBe('20251231_235958');
  });
});
