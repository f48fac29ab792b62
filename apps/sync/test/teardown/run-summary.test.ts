import type { RunSession } from '@grin/books';
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

describe('buildRunSummary', () => {
  it('adds totals, reasons grouped by kind and the session history to every stage', () => {
    const summary = buildRunSummary(
      'r',
      [
        session(1, 'enrich', { counts: { processed: 9, succeeded: 7, skipped: 1, failed: 1, 'failed:timeout': 1 } }),
        session(2, 'sync', { counts: { synced: 1, unavailable: 4, 'conversion:requested': 3, 'conversion:limit_reached': 1 }, status: 'interrupted' }),
        session(3, 'sync', { counts: { synced: 2, failed: 1, 'conversion:requested': 2, 'failed:verify_failed': 1 } }),
      ],
      '2025-01-09T00:00:00.000+00:00',
    );
    expect(summary.stages['enrich']).toMatchObject({ totals: { processed: 9, succeeded: 7, skipped: 1, failed: 1 }, by_reason: { failed: { timeout: 1 } } });
    expect(summary.stages['sync']).toMatchObject({
      totals: { processed: 8, succeeded: 3, skipped: 0, failed: 1 },
      by_reason: { conversion: { requested: 5, limit_reached: 1 }, failed: { verify_failed: 1 } },
      interruptions: 1,
      resume_count: 1,
    });
    expect(summary.stages['sync']?.session_history.map((s) => [s.id, s.status])).toEqual([
      [2, 'interrupted'],
      [3, 'completed'],
    ]);
    expect(summary.has_errors).toBe(false);
    expect(summary.teardown).toBeUndefined();
  });

  it('marks the run as having errors when a teardown item failed', () => {
    const summary = buildRunSummary('r', [session(1, 'sync')], 'now', [
      { name: 'csv_export', ok: true, rows: 1 },
      { name: 'database_latest', ok: false, error: { code: 'storage_write_failed', message: 'no bucket' } },
    ]);
    expect(summary.has_errors).toBe(true);
    expect(summary.teardown?.items).toHaveLength(2);
  });
});

describe('formatRunTimestamp', () => {
  it('is YYYYMMDD_HHMMSS in UTC', () => {
    expect(formatRunTimestamp(new Date(Date.UTC(2025, 11, 31, 23, 59, 58)))).toBe('20251231_235958');
  });
});
