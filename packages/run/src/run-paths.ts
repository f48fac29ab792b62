import { resolve } from 'node:path';
import { UsageError } from './usage-error.js';

/**
 * The directory the user typed the command in. `pnpm run` changes into the package folder but
 * records the original directory in INIT_CWD; every user-given path is resolved against it.
 */
export function userWorkingDirectory(env: Record<string, string | undefined> = process.env): string {
  return env.INIT_CWD && env.INIT_CWD.length > 0 ? env.INIT_CWD : process.cwd();
}

/** Resolves a path the user gave on the command line. */
export function resolveUserPath(path: string, env?: Record<string, string | undefined>): string {
  return resolve(userWorkingDirectory(env), path);
}

const RUN_NAME = /^[A-Za-z0-9_-]{1,100}$/;

/** Checks a run name; it becomes a directory and a storage prefix, so it must be plain. */
export function validateRunName(name: string): string {
  if (!RUN_NAME.test(name)) {
    throw new UsageError(
      `invalid run name ${JSON.stringify(name)}`,
      'Use 1-100 letters, digits, "_" or "-", e.g. --run-name harvard_2026.',
    );
  }
  return name;
}

/** `run_YYYYMMDD_HHMMSS` in local time, the default run name. */
export function defaultRunName(now: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `run_${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}_${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
}

/** `output/RUN` under the user's working directory (or under `outputRoot` when given). */
export function runDirectory(runName: string, options: { outputRoot?: string; env?: Record<string, string | undefined> } = {}): string {
  const root = options.outputRoot ? resolveUserPath(options.outputRoot, options.env) : resolveUserPath('output', options.env);
  return resolve(root, validateRunName(runName));
}
