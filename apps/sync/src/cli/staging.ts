import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** The run's staging directory: `output/RUN/staging` (per-volume extraction work directories). */
export const STAGING_DIR = 'staging';

/**
 * Creates `output/RUN/staging` and removes what a killed run left there (the extraction stage's
 * `BARCODE-extract-*` work directories). Safe because the run lock is held: no other process of
 * this run can be using them. Returns the directory.
 */
export async function prepareStaging(runDir: string, log: (line: string) => void): Promise<string> {
  const dir = join(runDir, STAGING_DIR);
  await mkdir(dir, { recursive: true });
  const stale = (await readdir(dir)).filter((name) => /-extract-/.test(name));
  for (const name of stale) await rm(join(dir, name), { recursive: true, force: true });
  if (stale.length > 0) log(`removed ${stale.length} extraction work director${stale.length === 1 ? 'y' : 'ies'} left by an interrupted run`);
  return dir;
}
