import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** A temp name beside `path` (same directory, so the final rename is atomic). */
export function tempPathBeside(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/**
 * Writes a file through `write` so that readers see either the old or the new content, never a
 * mix: a temp file beside it, fsync, rename over, fsync the directory. The temp file is removed
 * on failure. The directory must exist. Resolves with what `write` returned.
 */
export async function writeFileAtomicWith<T>(path: string, write: (file: FileHandle) => Promise<T>, mode = 0o644): Promise<T> {
  const dir = dirname(path);
  const temp = tempPathBeside(path);
  let result: T;
  try {
    const handle = await open(temp, 'w', mode);
    try {
      result = await write(handle);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await syncDirectory(dir);
  return result;
}

/** `data` written atomically (see {@link writeFileAtomicWith}), creating the directory if needed. */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  return writeFileAtomicWith(path, (handle) => handle.writeFile(data), mode);
}

/** Makes a rename durable. Some filesystems refuse to open directories; that is not an error. */
export async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Directory fsync is best effort (not supported everywhere).
  }
}

/** JSON with a trailing newline, written atomically. */
export function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  return writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}
