import { randomBytes } from 'node:crypto';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** A temp name next to `path` (same directory, so the final rename is atomic). */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/**
 * Writes a file through `write` under a temp name, fsyncs it and renames it over `path`, so readers
 * see either the old complete file or the new complete one. The temp file is removed on failure.
 */
export async function writeFileAtomically<T>(path: string, write: (file: FileHandle) => Promise<T>): Promise<T> {
  const tmp = tempPathFor(path);
  const file = await open(tmp, 'w');
  try {
    const result = await write(file);
    await file.sync();
    await file.close();
    await rename(tmp, path);
    return result;
  } catch (err) {
    await file.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw err;
  }
}
