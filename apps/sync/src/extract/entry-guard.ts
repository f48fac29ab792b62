import { UnsafeArchiveError } from './extract-errors.js';

/** Entry kinds that can be extracted safely. */
export type SafeEntryType = 'file' | 'directory' | 'symlink' | 'link';

/** The part of a tar header the guard looks at (tar-stream's header satisfies it). */
export interface RawEntryHeader {
  name: string;
  /** tar-stream's type name, or null for a type flag it does not know. */
  type: string | null;
  linkname?: string | null;
}

/** An entry that passed the guard. */
export interface CheckedEntry {
  /** Normalised relative path: `/`-separated, no `.` or empty segments, no trailing slash. */
  path: string;
  type: SafeEntryType;
  /**
   * Symlink: the target exactly as written (relative to the link's directory).
   * Hardlink: the normalised archive path of the file it repeats. Otherwise null.
   */
  linkTarget: string | null;
}

type Kind = 'file' | 'directory' | 'symlink';

/** Symlink hops followed when resolving a chain; beyond this the kernel itself gives ELOOP. */
const MAX_SYMLINK_HOPS = 40;

/**
 * Decides, entry by entry, whether a tar archive can be extracted into a directory without
 * anything landing outside it, and keeps the virtual tree needed for that decision.
 *
 * Rules (the same whether entries are written to disk or only read from the stream):
 * - paths must be relative, without `..` segments (also with `\` as separator) and without NUL;
 * - device files, FIFOs and unknown entry types are refused;
 * - no entry may go *through* a symlink of the archive or through a file (so a link can never
 *   redirect a later write), and a directory is never replaced by another kind;
 * - a symlink's target must stay inside when resolved lexically from the link's directory, and,
 *   once the whole archive is known (`finish`), when resolved following the archive's own
 *   symlinks (catches `a/b -> ..` followed by `q -> a/b/..`);
 * - a hardlink must name a regular file seen earlier in the archive.
 */
export class EntryGuard {
  private readonly kinds = new Map<string, Kind>();
  private readonly symlinks = new Map<string, string>();

  /** Validates one entry; throws UnsafeArchiveError naming the entry when it is refused. */
  check(header: RawEntryHeader): CheckedEntry {
    const raw = header.name;
    switch (header.type) {
      case 'file':
      case 'contiguous-file':
      case 'directory':
      case 'symlink':
      case 'link':
        break;
      case 'character-device':
      case 'block-device':
        throw new UnsafeArchiveError(raw, `device file (${header.type})`);
      case 'fifo':
        throw new UnsafeArchiveError(raw, 'FIFO (named pipe)');
      default:
        throw new UnsafeArchiveError(raw, `unsupported entry type ${String(header.type)}`);
    }
    const type: SafeEntryType = header.type === 'contiguous-file' ? 'file' : header.type;
    const path = normalizeEntryPath(raw);
    if (path === '') {
      if (type === 'directory') return { path, type, linkTarget: null }; // "./" itself
      throw new UnsafeArchiveError(raw, 'empty path');
    }
    this.checkParents(raw, path);

    const existing = this.kinds.get(path);
    if (existing === 'directory' && type !== 'directory') {
      throw new UnsafeArchiveError(raw, 'replaces a directory');
    }

    let linkTarget: string | null = null;
    if (type === 'symlink') {
      linkTarget = header.linkname ?? '';
      if (linkTarget === '' || linkTarget.includes('\0')) {
        throw new UnsafeArchiveError(raw, 'symlink without a valid target');
      }
      if (isAbsolute(linkTarget)) {
        throw new UnsafeArchiveError(raw, `symlink to absolute path ${JSON.stringify(linkTarget)}`);
      }
      if (resolveLexically(parentSegments(path), linkTarget) === null) {
        throw new UnsafeArchiveError(raw, `symlink points outside the archive (${JSON.stringify(linkTarget)})`);
      }
      this.kinds.set(path, 'symlink');
      this.symlinks.set(path, linkTarget);
    } else if (type === 'link') {
      const target = header.linkname ?? '';
      let normalized: string;
      try {
        normalized = normalizeEntryPath(target);
      } catch (error) {
        throw new UnsafeArchiveError(raw, `hardlink points outside the archive (${JSON.stringify(target)})`, {
          cause: error,
        });
      }
      if (this.kinds.get(normalized) !== 'file') {
        throw new UnsafeArchiveError(
          raw,
          `hardlink target ${JSON.stringify(target)} is not a regular file earlier in the archive`,
        );
      }
      linkTarget = normalized;
      this.kinds.set(path, 'file');
      this.symlinks.delete(path);
    } else {
      this.kinds.set(path, type);
      this.symlinks.delete(path);
    }
    return { path, type, linkTarget };
  }

  /**
   * Final check once every entry is known: every symlink, resolved through the archive's other
   * symlinks, must stay inside. Throws UnsafeArchiveError naming the first offending link.
   */
  finish(): void {
    for (const [path, target] of this.symlinks) {
      if (!this.resolvesInside(path, target)) {
        throw new UnsafeArchiveError(path, `symlink resolves outside the archive through other links (${JSON.stringify(target)})`);
      }
    }
  }

  private checkParents(raw: string, path: string): void {
    let prefix = '';
    const segments = path.split('/');
    for (let i = 0; i < segments.length - 1; i += 1) {
      prefix = prefix === '' ? segments[i]! : `${prefix}/${segments[i]!}`;
      const kind = this.kinds.get(prefix);
      if (kind === 'symlink') throw new UnsafeArchiveError(raw, `path goes through the symlink ${JSON.stringify(prefix)}`);
      if (kind === 'file') throw new UnsafeArchiveError(raw, `path goes through the file ${JSON.stringify(prefix)}`);
      if (kind === undefined) this.kinds.set(prefix, 'directory');
    }
  }

  private resolvesInside(linkPath: string, target: string): boolean {
    let hops = 0;
    const stack = parentSegments(linkPath);
    // Pending segments to walk, front first; a symlink met on the way is replaced by its target.
    const pending = splitSegments(target);
    while (pending.length > 0) {
      const segment = pending.shift()!;
      if (segment === '.' || segment === '') continue;
      if (segment === '..') {
        if (stack.length === 0) return false;
        stack.pop();
        continue;
      }
      stack.push(segment);
      const nested = this.symlinks.get(stack.join('/'));
      if (nested !== undefined) {
        hops += 1;
        if (hops > MAX_SYMLINK_HOPS || isAbsolute(nested)) return false;
        stack.pop();
        pending.unshift(...splitSegments(nested));
      }
    }
    return true;
  }
}

/**
 * Normalises an archive member path to a relative `/`-separated path. Throws UnsafeArchiveError
 * for absolute paths (`/x`, `\x`, `C:x`), `..` segments (splitting on `/` and `\`) and NUL.
 */
export function normalizeEntryPath(raw: string): string {
  if (raw.includes('\0')) throw new UnsafeArchiveError(raw, 'path contains a NUL byte');
  if (isAbsolute(raw)) throw new UnsafeArchiveError(raw, 'absolute path');
  if (raw.split(/[\\/]/).includes('..')) throw new UnsafeArchiveError(raw, 'path contains a ".." segment');
  return raw
    .split('/')
    .filter((segment) => segment !== '' && segment !== '.')
    .join('/');
}

function isAbsolute(path: string): boolean {
  return path.startsWith('/') || path.startsWith('\\') || /^[A-Za-z]:/.test(path);
}

function splitSegments(path: string): string[] {
  return path.split('/');
}

function parentSegments(path: string): string[] {
  const segments = path.split('/');
  segments.pop();
  return segments;
}

/** Resolves `target` from directory `from` without following links; null if it climbs out. */
function resolveLexically(from: string[], target: string): string[] | null {
  const stack = [...from];
  for (const segment of target.split(/[\\/]/)) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (stack.length === 0) return null;
      stack.pop();
    } else {
      stack.push(segment);
    }
  }
  return stack;
}
