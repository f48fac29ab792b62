import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireRunLock, readRunLock, RUN_LOCK_FILE, RunLockedError } from '../src/index.js';
import { killAndWait, makeTempDir, spawnFixture, waitForExit, waitForLine } from './helpers.js';
import type { ChildProcess } from 'node:child_process';

let dir: string;
let cleanup: () => void;
const children: ChildProcess[] = [];
beforeEach(() => ({ dir, cleanup } = makeTempDir()));
afterEach(async () => {
  await Promise.all(children.splice(0).map((c) => killAndWait(c)));
  cleanup();
});

function holdInChild(runDir: string, mode = 'hold'): { child: ChildProcess; acquired: Promise<string> } {
  const child = spawnFixture('hold-lock.ts', [runDir, mode]);
  children.push(child);
  return { child, acquired: waitForLine(child, (l) => l.startsWith('ACQUIRED')) };
}

function lockedBy(fn: () => unknown): RunLockedError {
  try {
    fn();
  } catch (err) {
    if (err instanceof RunLockedError) return err;
    throw err;
  }
  throw new Error('expected RunLockedError');
}

describe('acquireRunLock', () => {
  it('creates session.lock with pid/host/startedAt, refuses a second holder, and releases', () => {
    const runDir = join(dir, 'output', 'run1');
    const lock = acquireRunLock(runDir);
    const content = JSON.parse(readFileSync(join(runDir, RUN_LOCK_FILE), 'utf8'));
    expect(content).toEqual({ pid: process.pid, host: hostname(), startedAt: lock.info.startedAt });
    expect(readRunLock(runDir)).toEqual(lock.info);

    const error = lockedBy(() => acquireRunLock(runDir));
    expect(error.code).toBe('run_locked');
    expect(error.retryable).toBe(true);
    expect(error.holder?.pid).toBe(process.pid);

    lock.release();
    lock.release();
    expect(existsSync(join(runDir, RUN_LOCK_FILE))).toBe(false);
    acquireRunLock(runDir).release();
  });

  it('refuses while a real child process holds the lock, then takes over after the child is killed', async () => {
    const { child, acquired } = holdInChild(dir);
    await acquired;
    const error = lockedBy(() => acquireRunLock(dir));
    expect(error.holder).toMatchObject({ pid: child.pid, host: hostname() });
    expect(error.hint).toContain(String(child.pid));
    expect(error.hint).toContain(hostname());
    expect(error.hint).toContain(join(dir, RUN_LOCK_FILE));
    expect(error.message).toContain(String(child.pid));

    await killAndWait(child, 'SIGKILL');
    // The dead child's lock file is still there: a stale lock.
    expect(readRunLock(dir)?.pid).toBe(child.pid);
    const lock = acquireRunLock(dir);
    expect(readRunLock(dir)?.pid).toBe(process.pid);
    lock.release();
    expect(existsSync(join(dir, RUN_LOCK_FILE))).toBe(false);
  });

  it('a child that exits without release() removes its lock on exit', async () => {
    const { child, acquired } = holdInChild(dir, 'exit');
    await acquired;
    expect(await waitForExit(child)).toBe(0);
    expect(existsSync(join(dir, RUN_LOCK_FILE))).toBe(false);
  });

  it('only one of several processes taking over the same stale lock wins', async () => {
    writeFileSync(join(dir, RUN_LOCK_FILE), JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), startedAt: 'x' }));
    const racers = [0, 1, 2].map(() => {
      const child = spawnFixture('hold-lock.ts', [dir, 'try-hold']);
      children.push(child);
      return waitForLine(child, (l) => l.startsWith('ACQUIRED') || l.startsWith('LOCKED'));
    });
    const lines = await Promise.all(racers);
    expect(lines.filter((l) => l.startsWith('ACQUIRED'))).toHaveLength(1);
    const winner = Number(lines.find((l) => l.startsWith('ACQUIRED'))!.split(' ')[1]);
    expect(readRunLock(dir)?.pid).toBe(winner);
    for (const l of lines.filter((x) => x.startsWith('LOCKED'))) expect(l).toBe(`LOCKED ${winner}`);
  });

  it('does not take over a lock from another host (liveness unknown)', () => {
    writeFileSync(join(dir, RUN_LOCK_FILE), JSON.stringify({ pid: 1, host: 'other-machine', startedAt: '2025-01-01' }));
    const error = lockedBy(() => acquireRunLock(dir, { isAlive: () => false }));
    expect(error.holder).toEqual({ pid: 1, host: 'other-machine', startedAt: '2025-01-01' });
    expect(error.hint).toMatch(/other-machine/);
    expect(error.hint).toMatch(/delete/);
  });

  it('takes over an unparsable lock file', () => {
    writeFileSync(join(dir, RUN_LOCK_FILE), '');
    const lock = acquireRunLock(dir);
    expect(readRunLock(dir)?.pid).toBe(process.pid);
    lock.release();
  });

  it('release() leaves a lock it no longer owns alone', () => {
    const lock = acquireRunLock(dir, { isAlive: () => false, releaseOnExit: false });
    // Someone (wrongly believing it stale) replaced it.
    const replacement = JSON.stringify({ pid: 42, host: 'h', startedAt: 's' });
    writeFileSync(join(dir, RUN_LOCK_FILE), replacement);
    lock.release();
    expect(readFileSync(join(dir, RUN_LOCK_FILE), 'utf8')).toBe(replacement);
  });
});
