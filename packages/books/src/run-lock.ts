import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { RunLockedError } from './errors.js';
import { isProcessAlive, type ProcessAliveCheck } from './process-alive.js';
import { isoTimestamp, systemClock, type Clock } from './timestamp.js';

/** Name of the lock file inside the run directory (as in the reference tool). */
export const RUN_LOCK_FILE = 'session.lock';

/** Content of the lock file. */
export interface RunLockInfo {
  pid: number;
  host: string;
  startedAt: string;
}

export interface RunLockOptions {
  /** Defaults to this process. */
  pid?: number | undefined;
  host?: string | undefined;
  now?: Clock | undefined;
  isAlive?: ProcessAliveCheck | undefined;
  /** Remove the lock file when the process exits without `release()` (default true). */
  releaseOnExit?: boolean | undefined;
}

export interface RunLock {
  readonly path: string;
  readonly info: RunLockInfo;
  /** Removes the lock file if it is still ours. Idempotent. */
  release(): void;
}

/**
 * Takes the run directory's exclusive lock: `session.lock` holding `{pid, host, startedAt}`.
 * The file is created complete and atomically (written under a temp name, then hard-linked to
 * the lock name, which fails if it exists). A lock left by a dead process on this host is taken
 * over; a live holder, or a holder on another host (whose liveness cannot be checked), makes
 * this throw `RunLockedError`.
 */
export function acquireRunLock(runDir: string, options: RunLockOptions = {}): RunLock {
  mkdirSync(runDir, { recursive: true });
  const lockPath = join(runDir, RUN_LOCK_FILE);
  const info: RunLockInfo = {
    pid: options.pid ?? process.pid,
    host: options.host ?? hostname(),
    startedAt: isoTimestamp((options.now ?? systemClock)()),
  };
  const isAlive = options.isAlive ?? isProcessAlive;
  const content = `${JSON.stringify(info)}\n`;

  if (!createExclusive(lockPath, content)) {
    const holder = readLock(lockPath);
    if (holder && !isStale(holder, info.host, isAlive)) throw lockedError(lockPath, holder);
    takeOverStale(lockPath, holder, content, info, isAlive);
  }
  return makeLock(lockPath, info, content, options.releaseOnExit ?? true);
}

/** Reads a lock file; undefined when missing or unparsable. */
export function readRunLock(runDir: string): RunLockInfo | undefined {
  return readLock(join(runDir, RUN_LOCK_FILE));
}

function makeLock(lockPath: string, info: RunLockInfo, content: string, releaseOnExit: boolean): RunLock {
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.off('exit', release);
    removeIfContent(lockPath, content);
  };
  if (releaseOnExit) process.on('exit', release);
  return { path: lockPath, info, release };
}

/** Creates `path` with `content` only if it does not exist; never leaves a partial file there. */
function createExclusive(path: string, content: string): boolean {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, content, { flag: 'wx' });
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    unlinkSync(tmp);
  }
}

function readLock(path: string): RunLockInfo | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const parsed = JSON.parse(text) as Partial<RunLockInfo>;
    if (typeof parsed.pid === 'number' && typeof parsed.host === 'string') {
      return { pid: parsed.pid, host: parsed.host, startedAt: String(parsed.startedAt ?? '') };
    }
  } catch {
    // fall through: unparsable
  }
  return undefined;
}

function isStale(holder: RunLockInfo, ourHost: string, isAlive: ProcessAliveCheck): boolean {
  return holder.host === ourHost && !isAlive(holder.pid);
}

/**
 * Replaces a stale lock. Only the holder of a short-lived guard file may remove a lock, and it
 * re-checks under the guard that the lock is still the same stale one, so two processes taking
 * over at once cannot both win: the loser's exclusive create fails and it sees the winner alive.
 */
function takeOverStale(
  lockPath: string,
  stale: RunLockInfo | undefined,
  content: string,
  info: RunLockInfo,
  isAlive: ProcessAliveCheck,
): void {
  const guardPath = `${lockPath}.takeover`;
  if (!createExclusive(guardPath, content)) {
    const guardHolder = readLock(guardPath);
    if (guardHolder && !isStale(guardHolder, info.host, isAlive)) {
      throw lockedError(lockPath, guardHolder);
    }
    // A guard left by a process that died inside the takeover window (microseconds wide).
    removeIfContent(guardPath, guardHolder ? `${JSON.stringify(guardHolder)}\n` : undefined);
    if (!createExclusive(guardPath, content)) throw lockedError(lockPath, readLock(guardPath));
  }
  try {
    const current = readLock(lockPath);
    if (current && !sameLock(current, stale)) {
      if (!isStale(current, info.host, isAlive)) throw lockedError(lockPath, current);
    }
    // Unparsable or still the stale lock: nobody live owns it.
    removeIfContent(lockPath, undefined);
    if (!createExclusive(lockPath, content)) throw lockedError(lockPath, readLock(lockPath));
  } finally {
    removeIfContent(guardPath, content);
  }
}

function sameLock(a: RunLockInfo, b: RunLockInfo | undefined): boolean {
  return b !== undefined && a.pid === b.pid && a.host === b.host && a.startedAt === b.startedAt;
}

/** Unlinks `path` if its content equals `expected` (any content when undefined). */
function removeIfContent(path: string, expected: string | undefined): void {
  try {
    if (expected !== undefined && readFileSync(path, 'utf8') !== expected) return;
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

function lockedError(lockPath: string, holder: RunLockInfo | undefined): RunLockedError {
  const who = holder ? `process ${holder.pid} on ${holder.host}` : 'another process';
  return new RunLockedError(`the run directory is locked by ${who} (${lockPath})`, {
    lockPath,
    ...(holder ? { holder } : {}),
  });
}
