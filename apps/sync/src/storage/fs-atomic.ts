import { open, readdir, rename, rmdir, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Temp files of this process that are still being written; never swept as stale. */
const activeTemps = new Set<string>();

/** Temp name beside `finalPath`: `.NAME.<pid>-<id>.<suffix>`, so a sweep can tell whose it is. */
export function tempPathFor(finalPath: string, id: string, suffix: 'partial' | 'tmp'): string {
  return join(dirname(finalPath), `.${basename(finalPath)}.${process.pid}-${id}.${suffix}`);
}

export function markActive(path: string): void {
  activeTemps.add(path);
}

export function markInactive(path: string): void {
  activeTemps.delete(path);
}

/** Per directory: the fsync running now, and the one queued to start after it. */
const dirSyncs = new Map<string, { running: Promise<void>; next: Promise<void> | null }>();

/**
 * fsync a directory so a rename/unlink inside it survives a crash. Calls for the same directory
 * share fsyncs: a caller arriving while one runs waits for the next one, which starts after it
 * (so after the caller's rename) and serves everyone who arrived meanwhile. With OCR files landing
 * in one `full/RUN/` directory from several workers, that saves most of a directory fsync each.
 */
export function fsyncDir(dir: string): Promise<void> {
  const state = dirSyncs.get(dir);
  if (state === undefined) {
    const running = syncDirNow(dir).finally(() => afterDirSync(dir));
    dirSyncs.set(dir, { running, next: null });
    return running;
  }
  state.next ??= state.running.catch(() => undefined).then(() => syncDirNow(dir));
  return state.next;
}

/** The fsync behind `dir`'s state ended: promote the queued one, or forget the directory. */
function afterDirSync(dir: string): void {
  const state = dirSyncs.get(dir);
  if (state === undefined) return;
  if (state.next === null) {
    dirSyncs.delete(dir);
    return;
  }
  const promoted = state.next.finally(() => afterDirSync(dir));
  promoted.catch(() => undefined); // its callers hold `next` and see the error there
  state.running = promoted;
  state.next = null;
}

async function syncDirNow(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Write a small file atomically: temp file, fsync, rename, fsync the directory. */
export async function writeFileAtomic(finalPath: string, data: string | Buffer, id: string): Promise<void> {
  const tmp = tempPathFor(finalPath, id, 'tmp');
  markActive(tmp);
  try {
    const fh = await open(tmp, 'wx', 0o644);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } catch (err) {
      // The write's error is the one to report, not a failing close after it.
      await fh.close().catch(() => undefined);
      throw err;
    }
    await fh.close();
    await rename(tmp, finalPath);
    await fsyncDir(dirname(finalPath));
  } catch (err) {
    await unlinkIfExists(tmp).catch(() => undefined);
    throw err;
  } finally {
    markInactive(tmp);
  }
}

/** Remove a file; a missing file is fine. Returns whether something was removed. */
export async function unlinkIfExists(path: string): Promise<boolean> {
  try {
    await unlink(path);
    return true;
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return false;
    throw err;
  }
}

/** Remove a directory if it is empty; anything else (not empty, missing) is ignored. */
export async function rmdirIfEmpty(dir: string): Promise<void> {
  try {
    await rmdir(dir);
  } catch {
    // not empty or already gone: both fine
  }
}

function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return !isErrno(err, 'ESRCH');
  }
}

const TEMP_RE = /^\..+\.(\d+)-[0-9a-z]+\.(partial|tmp)$/;

/** Whether `path` (a temp name made by tempPathFor) belongs to no live writer. */
function isStale(path: string, name: string): boolean {
  const m = TEMP_RE.exec(name);
  if (m === null) return false;
  const pid = Number(m[1]);
  return !activeTemps.has(path) && (pid === process.pid || !pidAlive(pid));
}

/**
 * Remove temp files left beside `finalPath` by processes that no longer run (or by this process,
 * when no writer holds them any more). Returns the removed paths.
 */
export async function sweepStaleTemps(finalPath: string): Promise<string[]> {
  const dir = dirname(finalPath);
  const prefix = `.${basename(finalPath)}.`;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return [];
    throw err;
  }
  const removed: string[] = [];
  for (const name of names) {
    // The prefix check keeps `.B.tar.gz.` from matching the sidecar's `.B.tar.gz.meta.json.` temps.
    if (!name.startsWith(prefix) || !/^\d+-[0-9a-z]+\.(partial|tmp)$/.test(name.slice(prefix.length))) continue;
    const path = join(dir, name);
    if (isStale(path, name) && (await unlinkIfExists(path))) removed.push(path);
  }
  return removed;
}

/** Remove every stale temp file under `root` (recursively). Returns the removed paths. */
export async function sweepStaleTempsUnder(root: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return [];
    throw err;
  }
  const removed: string[] = [];
  for (const e of entries) {
    const path = join(root, e.name);
    if (e.isDirectory()) removed.push(...(await sweepStaleTempsUnder(path)));
    else if (e.isFile() && isStale(path, e.name) && (await unlinkIfExists(path))) removed.push(path);
  }
  return removed;
}

export function isErrno(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}
