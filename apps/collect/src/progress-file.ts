import { link, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '@grin/run';

export const PROGRESS_FILE = 'progress.json';
const BACKUP = /^progress_backup_\d{8}_\d{6}_\d{3}(?:-\d+)?\.json$/;

/**
 * `progress.json`, the human/tool mirror of the tracker's SQLite state. Each write first keeps
 * the current file under `progress_backup_YYYYMMDD_HHMMSS_mmm.json` (UTC; a hard link, so
 * `progress.json` itself never disappears), then replaces it atomically; only the newest
 * `keep` backups are kept.
 */
export class ProgressFile {
  readonly path: string;

  constructor(
    private readonly directory: string,
    private readonly keep = 10,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.path = join(directory, PROGRESS_FILE);
  }

  async write(document: unknown): Promise<void> {
    await this.archiveCurrent();
    await writeJsonAtomic(this.path, document);
    await this.prune();
  }

  /** Backup names, oldest first. */
  async backups(): Promise<string[]> {
    const names = await readdir(this.directory);
    return names.filter((n) => BACKUP.test(n)).sort((a, b) => {
      const [sa, na] = backupOrder(a);
      const [sb, nb] = backupOrder(b);
      return sa < sb ? -1 : sa > sb ? 1 : na - nb;
    });
  }

  private async archiveCurrent(): Promise<void> {
    const stamp = backupStamp(this.now());
    for (let attempt = 0; attempt < 100; attempt++) {
      const name = `progress_backup_${stamp}${attempt === 0 ? '' : `-${attempt}`}.json`;
      try {
        await link(this.path, join(this.directory, name));
        return;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return; // first write: nothing to archive
        if (code !== 'EEXIST') throw error;
      }
    }
  }

  private async prune(): Promise<void> {
    const names = await this.backups();
    const surplus = names.slice(0, Math.max(0, names.length - this.keep));
    await Promise.all(surplus.map((n) => rm(join(this.directory, n), { force: true })));
  }
}

/** [timestamp, same-millisecond sequence] of a backup name. */
function backupOrder(name: string): [string, number] {
  const match = /^progress_backup_(\d{8}_\d{6}_\d{3})(?:-(\d+))?\.json$/.exec(name);
  return [match?.[1] ?? name, Number(match?.[2] ?? 0)];
}

function backupStamp(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return (
    `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}_` +
    `${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}_${p(d.getUTCMilliseconds(), 3)}`
  );
}
