import { createWriteStream, type WriteStream } from 'node:fs';
import { link, lstat, mkdir, readdir, realpath, rm, symlink, unlink } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { UnpackDestinationError, UnsafeArchiveError } from './extract-errors.js';
import { readArchive, type ArchiveEntry, type EntrySink } from './read-archive.js';

export interface UnpackOptions {
  signal?: AbortSignal;
}

export interface UnpackSummary {
  /** Entries in the archive. */
  entries: number;
  /** Regular files written (hardlinks included). */
  files: number;
  /** Bytes of file content written. */
  bytes: number;
}

/**
 * Extracts a gzip'd tar stream into `destDir`, which must not exist or be an empty directory.
 *
 * Every entry passes `EntryGuard` (see there), and on disk: each parent directory is created
 * component by component and must be a real directory (never a symlink), its real path must lie
 * inside the real `destDir`, files are created with O_EXCL (never through an existing link),
 * hardlinks only repeat regular files inside, and after the last entry every symlink that
 * resolves must resolve inside. Permission bits are kept without setuid/setgid/sticky; owners
 * and times are not restored.
 *
 * On any failure (refused entry, corrupt archive, abort, I/O error) everything written is
 * removed — `destDir` itself too when this call created it — and the error is rethrown.
 */
export async function unpackArchive(input: Readable, destDir: string, options: UnpackOptions = {}): Promise<UnpackSummary> {
  let createdRoot: boolean;
  let root: string;
  try {
    createdRoot = await prepareDestination(destDir);
    root = await realpath(destDir);
  } catch (error) {
    drainQuietly(input);
    throw error;
  }
  const symlinks: string[] = [];
  const openFiles = new Set<WriteStream>();
  let files = 0;
  let bytes = 0;

  let inFlight: Promise<unknown> = Promise.resolve();
  const onEntry = (entry: ArchiveEntry): Promise<EntrySink | undefined> => {
    const step = writeEntry(entry);
    inFlight = step.catch(() => undefined);
    return step;
  };
  const writeEntry = async (entry: ArchiveEntry): Promise<EntrySink | undefined> => {
    if (entry.path === '') return undefined; // "./": the root itself
    const target = join(root, entry.path);
    await ensureDirectory(root, dirname(target), entry.path);
    if (entry.type === 'directory') {
      await ensureDirectory(root, target, entry.path);
      return undefined;
    }
    await removeExisting(target, entry.path);
    if (entry.type === 'symlink') {
      await symlink(entry.linkTarget!, target);
      symlinks.push(target);
      return undefined;
    }
    if (entry.type === 'link') {
      const source = join(root, entry.linkTarget!);
      const info = await lstat(source);
      if (!info.isFile() || !isInside(root, await realpath(source))) {
        throw new UnsafeArchiveError(entry.path, 'hardlink target is not a regular file inside the directory');
      }
      await link(source, target);
      files += 1;
      return undefined;
    }
    files += 1;
    return fileSink(target, entry.mode, openFiles, (n) => {
      bytes += n;
    });
  };

  try {
    const summary = await readArchive(input, onEntry, options.signal ? { signal: options.signal } : {});
    for (const path of symlinks) {
      const real = await realpath(path).catch(() => null); // dangling or looping: harmless
      if (real !== null && !isInside(root, real)) {
        throw new UnsafeArchiveError(path.slice(root.length + 1), 'symlink resolves outside the directory');
      }
    }
    return { entries: summary.entries, files, bytes };
  } catch (error) {
    // An entry still being written could otherwise reappear after the removal below.
    await inFlight;
    await Promise.all([...openFiles].map(closeQuietly));
    await removeContents(root, createdRoot);
    throw error;
  }
}

async function prepareDestination(destDir: string): Promise<boolean> {
  const absolute = resolve(destDir);
  try {
    const info = await lstat(absolute);
    if (!info.isDirectory() || (await readdir(absolute)).length > 0) throw new UnpackDestinationError(absolute);
    return false;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await mkdir(absolute, { recursive: true });
    return true;
  }
}

/** Creates `dir` (inside root) one component at a time, refusing symlinks and non-directories. */
async function ensureDirectory(root: string, dir: string, entryPath: string): Promise<void> {
  if (dir === root) return;
  const relative = dir.slice(root.length + 1).split(sep);
  let current = root;
  for (const segment of relative) {
    current = join(current, segment);
    const info = await lstat(current).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    if (info === null) {
      await mkdir(current, { mode: 0o755 });
    } else if (!info.isDirectory()) {
      throw new UnsafeArchiveError(entryPath, `path goes through a non-directory on disk (${segment})`);
    }
  }
  // Belt and braces: whatever happened above, the real location must be inside the root.
  if (!isInside(root, await realpath(dir))) {
    throw new UnsafeArchiveError(entryPath, 'resolves outside the directory');
  }
}

/** A later entry of the same path replaces an earlier one (tar semantics), never a directory. */
async function removeExisting(target: string, entryPath: string): Promise<void> {
  const info = await lstat(target).catch(() => null);
  if (info === null) return;
  if (info.isDirectory()) throw new UnsafeArchiveError(entryPath, 'replaces a directory');
  await unlink(target);
}

function fileSink(target: string, mode: number, openFiles: Set<WriteStream>, count: (bytes: number) => void): EntrySink {
  // O_EXCL ('wx'): never opens through a symlink planted at the final component.
  const out: WriteStream = createWriteStream(target, { flags: 'wx', mode: (mode & 0o777) | 0o600 });
  openFiles.add(out);
  out.once('close', () => openFiles.delete(out));
  let failure: Error | null = null;
  out.on('error', (error) => {
    failure = error;
  });
  return {
    async write(chunk) {
      if (failure) throw failure;
      count(chunk.length);
      if (!out.write(chunk)) await waitFor(out, 'drain');
    },
    async end() {
      if (failure) throw failure;
      await new Promise<void>((resolveEnd, rejectEnd) => {
        out.once('error', rejectEnd);
        out.end(() => resolveEnd());
      });
    },
  };
}

function waitFor(stream: WriteStream, event: 'drain'): Promise<void> {
  return new Promise((resolveWait, rejectWait) => {
    const onError = (error: Error): void => {
      stream.off(event, onEvent);
      rejectWait(error);
    };
    const onEvent = (): void => {
      stream.off('error', onError);
      resolveWait();
    };
    stream.once(event, onEvent);
    stream.once('error', onError);
  });
}

/** Lets a stream we will not read flow to its end, so whoever feeds it is never blocked. */
function drainQuietly(input: Readable): void {
  input.on('error', () => undefined);
  input.resume();
}

function closeQuietly(stream: WriteStream): Promise<void> {
  return new Promise((resolveClose) => {
    if (stream.closed) {
      resolveClose();
      return;
    }
    stream.once('close', () => resolveClose());
    stream.destroy();
  });
}

function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root + sep);
}

async function removeContents(root: string, removeRoot: boolean): Promise<void> {
  if (removeRoot) {
    await rm(root, { recursive: true, force: true });
    return;
  }
  // The root was an empty directory given by the caller: empty it again, keep it.
  const names = await readdir(root).catch(() => [] as string[]);
  await Promise.all(names.map((name) => rm(join(root, name), { recursive: true, force: true })));
}
