import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCatalogue, writeProcessSummary, type Catalogue } from '../src/index.js';
import { killAndWait, makeTempDir, steppingClock } from './helpers.js';

let dir: string;
let cleanup: () => void;
let cat: Catalogue;
let path: string;
beforeEach(() => {
  ({ dir, cleanup } = makeTempDir());
  path = join(dir, 'books.db');
  cat = openCatalogue(path, { now: steppingClock() });
});
afterEach(() => {
  if (cat.isOpen) cat.close();
  cleanup();
});

/** The pid of a process that has exited (and been reaped). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('run sessions', () => {
  it('records start, merged counts, runtime, bytes and end', () => {
    const id = cat.startSession({ stage: 'collect', args: { limit: 5, refresh: false }, configHash: 'abc12345' });
    let s = cat.getSession(id)!;
    expect(s).toMatchObject({
      stage: 'collect',
      status: 'running',
      pid: process.pid,
      nodeVersion: process.version,
      args: { limit: 5, refresh: false },
      configHash: 'abc12345',
      counts: {},
      bytes: 0,
      runtimeSeconds: 0,
      endedAt: null,
      error: null,
    });
    expect(s.startedAt).toBe('2025-01-01T12:00:00.000+00:00');
    cat.updateSession(id, { counts: { inserted: 10, failed: 1 }, runtimeSeconds: 12.5 });
    cat.updateSession(id, { counts: { failed: 2 }, bytes: 2048 });
    cat.endSession(id, 'failed', new TypeError('boom'));
    s = cat.getSession(id)!;
    expect(s).toMatchObject({ counts: { inserted: 10, failed: 2 }, runtimeSeconds: 12.5, bytes: 2048, status: 'failed', error: 'TypeError: boom' });
    expect(s.endedAt).not.toBeNull();
    expect(() => cat.updateSession(999, { bytes: 1 })).toThrow(/999/);
  });

  it('marks a session of a dead process interrupted on open', () => {
    const dead = cat.startSession({ stage: 'collect', pid: deadPid() });
    cat.updateSession(dead, { runtimeSeconds: 30, counts: { inserted: 100 } });
    const lastWrite = cat.getSession(dead)!.updatedAt;
    cat.close();
    cat = openCatalogue(path, { now: steppingClock(Date.UTC(2025, 0, 2)) });
    expect(cat.getSession(dead)).toMatchObject({ status: 'interrupted', endedAt: lastWrite, runtimeSeconds: 30 });
  });

  it('leaves a session of a live process running on open', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      const live = cat.startSession({ stage: 'sync', pid: child.pid! });
      cat.close();
      cat = openCatalogue(path);
      expect(cat.getSession(live)?.status).toBe('running');
    } finally {
      await killAndWait(child);
    }
  });

  it('a new session (started under the run lock) ends running sessions of other processes', () => {
    const other = cat.startSession({ stage: 'sync', pid: process.pid + 100_000 });
    const first = cat.startSession({ stage: 'collect' });
    expect(cat.getSession(other)?.status).toBe('interrupted');
    cat.updateSession(first, { runtimeSeconds: 30, counts: { inserted: 100 } });
    cat.endSession(first, 'interrupted');
    const next = cat.startSession({ stage: 'collect' });
    expect(cat.getSession(first)?.status).toBe('interrupted');
    expect(cat.getSession(next)?.status).toBe('running');
    cat.updateSession(next, { runtimeSeconds: 15, counts: { inserted: 50 } });
    cat.endSession(next, 'completed');

    const summary = cat.summarizeSessions('collect');
    expect(summary).toMatchObject({
      stage: 'collect',
      sessions: 2,
      resumeCount: 1,
      interruptions: 1,
      failures: 0,
      runtimeSeconds: 45,
      counts: { inserted: 150 },
    });
    expect(summary.last?.id).toBe(next);
    expect(cat.listSessions().map((s) => s.id)).toEqual([other, first, next]);
    expect(cat.listSessions('sync').map((s) => s.id)).toEqual([other]);
  });

  it('builds and writes process_summary.json from the sessions', async () => {
    const c1 = cat.startSession({ stage: 'collect', args: { list: '_all_books' } });
    cat.updateSession(c1, { runtimeSeconds: 10, counts: { inserted: 5 } });
    cat.endSession(c1, 'interrupted');
    const c2 = cat.startSession({ stage: 'collect', args: { list: '_all_books' } });
    cat.updateSession(c2, { runtimeSeconds: 20, counts: { inserted: 7, failed: 1 } });
    cat.endSession(c2, 'completed');
    const s1 = cat.startSession({ stage: 'sync', args: { queue: ['converted'] } });
    cat.updateSession(s1, { runtimeSeconds: 5, bytes: 1000, counts: { synced: 3 } });

    const summary = cat.processSummary('demo');
    expect(summary).toMatchObject({
      run_name: 'demo',
      total_duration_seconds: 35,
      interruption_count: 1,
      session_count: 3,
      active_stages: ['sync'],
      completed_stages: ['collect'],
      is_completed: false,
      run_end_time: null,
      has_errors: false,
    });
    expect(summary.stages['collect']).toMatchObject({
      sessions: 2,
      resume_count: 1,
      interruptions: 1,
      duration_seconds: 30,
      counts: { inserted: 12, failed: 1 },
      status: 'completed',
      is_completed: true,
      command_args: { list: '_all_books' },
    });
    expect(summary.stages['sync']).toMatchObject({ end_time: null, bytes: 1000, counts: { synced: 3 } });

    const file = join(dir, 'process_summary.json');
    await writeProcessSummary(file, summary);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(summary);
  });

  it('stores run metadata as JSON', () => {
    expect(cat.getMetadata('config')).toBeUndefined();
    cat.setMetadata('config', { library: 'Harvard', pageSize: 10000 });
    cat.setMetadata('count', 3);
    expect(cat.getMetadata('config')).toEqual({ library: 'Harvard', pageSize: 10000 });
    expect(cat.getMetadata<number>('count')).toBe(3);
    cat.setMetadata('count', undefined);
    expect(cat.getMetadata('count')).toBeUndefined();
  });
});
