import { lstat, mkdtemp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isProcessAlive, type ProcessAliveCheck } from './process-alive.js';

/**
 * Private temp directories named `<prefix><pid>-<random>`: the pid in the name lets a later start
 * remove the ones a killed process (SIGKILL: no clean-up ran) left behind, without touching those
 * of processes still running.
 */
export function createProcessTempDir(parent: string, prefix: string, pid: number = process.pid): Promise<string> {
  return mkdtemp(join(parent, `${prefix}${pid}-`));
}

/**
 * Removes the `<prefix><pid>-<random>` directories under `parent` whose process no longer exists.
 * Only real directories owned by this user are touched (never symlinks, nor other users' entries
 * in a shared /tmp). Returns the removed paths; one that cannot be removed is left for next time.
 */
export async function sweepDeadProcessTempDirs(
  parent: string,
  prefix: string,
  isAlive: ProcessAliveCheck = isProcessAlive,
): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(parent);
  } catch {
    return [];
  }
  const uid = process.getuid?.();
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const m = /^(\d+)-[A-Za-z0-9]+$/.exec(name.slice(prefix.length));
    if (m === null) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || isAlive(pid)) continue;
    const path = join(parent, name);
    try {
      const st = await lstat(path);
      if (!st.isDirectory() || (uid !== undefined && st.uid !== uid)) continue;
      await rm(path, { recursive: true, force: true });
      removed.push(path);
    } catch {
      // vanished meanwhile or not removable: nothing to do now
    }
  }
  return removed;
}
