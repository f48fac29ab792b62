import { mkdir, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StorageError } from './storage-error.js';

const HINT = 'check --storage-path: it must be a writable directory (not a file, not on a read-only mount); free disk space';

// Node 20 has no util.getSystemErrorMessage; these are the reasons a storage directory is unusable
// in practice, said the way a user recognises them. Anything else keeps the OS message.
const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EEXIST: 'it exists and is not a directory',
  ENAMETOOLONG: 'the path is too long',
  ELOOP: 'too many symbolic links',
  EIO: 'input/output error',
};

/**
 * Prove that each directory exists (created when missing) and takes a new file: create and remove
 * a uniquely named marker. The marker is not fsynced: this checks permissions, mount mode and free
 * space, not durability. Any OS error becomes `StorageError('storage_config')` naming the directory,
 * since every volume would fail the same way.
 */
export async function probeWritableDirs(dirs: readonly string[], markerId: string, signal?: AbortSignal): Promise<void> {
  for (const dir of dirs) {
    signal?.throwIfAborted();
    // Not dot-leading `.NAME.<pid>-<id>.partial`: the stale-temp sweep must never mistake it for a writer's temp.
    const marker = join(dir, `grin-write-probe-${process.pid}-${markerId}`);
    let step = 'create';
    try {
      await mkdir(dir, { recursive: true });
      step = 'write a file in';
      await writeFile(marker, 'grin storage probe\n', { flag: 'wx' });
      step = 'remove a file from';
      await unlink(marker);
    } catch (err) {
      const code = errnoCode(err);
      if (code === undefined) throw err;
      const reason = REASONS[code] === undefined ? (err as Error).message : `${REASONS[code]} (${code})`;
      throw new StorageError('storage_config', `cannot use ${dir} for storage: cannot ${step} the directory: ${reason}`, {
        hint: HINT,
        retryable: false,
        cause: err,
      });
    }
  }
}

function errnoCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('E') ? code : undefined;
}
