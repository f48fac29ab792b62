import type { ReporterMode, ResolvedMode } from './types.js';

type Env = Readonly<Record<string, string | undefined>>;

const MODES: readonly ResolvedMode[] = ['tty', 'plain', 'json', 'off'];

/** Variables that mark a CI environment (CI=false/0 does not). */
const CI_VARS = ['CI', 'CONTINUOUS_INTEGRATION', 'GITHUB_ACTIONS', 'GITLAB_CI', 'BUILDKITE', 'TF_BUILD', 'JENKINS_URL', 'TEAMCITY_VERSION'];

/** Whether `env` looks like a CI run. */
export function isCI(env: Env): boolean {
  return CI_VARS.some((name) => {
    const value = env[name];
    return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
  });
}

/**
 * Picks the renderer:
 * 1. an explicit `mode` other than `auto` wins;
 * 2. else env `GRIN_PROGRESS` (`tty|plain|json|off`, case-insensitive; other values are ignored);
 * 3. else `tty` when the stream is a TTY, not CI, and TERM is not `dumb`; `plain` otherwise.
 */
export function selectMode(mode: ReporterMode | undefined, env: Env, stream: { isTTY?: boolean | undefined }): ResolvedMode {
  if (mode !== undefined && mode !== 'auto') return mode;
  const fromEnv = env['GRIN_PROGRESS']?.trim().toLowerCase();
  if (fromEnv !== undefined && (MODES as readonly string[]).includes(fromEnv)) return fromEnv as ResolvedMode;
  if (stream.isTTY === true && !isCI(env) && env['TERM'] !== 'dumb') return 'tty';
  return 'plain';
}

/** Whether colour is allowed: NO_COLOR unset or empty (https://no-color.org), TERM not `dumb`. */
export function colorAllowed(env: Env): boolean {
  const noColor = env['NO_COLOR'];
  return (noColor === undefined || noColor === '') && env['TERM'] !== 'dumb';
}
