import { createHash } from 'node:crypto';
import { hostname, platform, userInfo } from 'node:os';
import type { CollectOptions } from './cli-options.js';

/** The parameters recorded with each session and in run_config.json. Never secrets. */
export interface CollectParameters {
  library_directory: string;
  list: string;
  page_size: number;
  limit: number | null;
  refresh: boolean;
  restart: boolean;
  grin_url: string;
  credentials_dir: string | null;
  expected_total: number | null;
  simulate: number | null;
}

/** Who started the job, where and with what (kept from the first session across resumes). */
export interface JobMetadata {
  job_started: string;
  started_by_user: string;
  hostname: string;
  node_version: string;
  platform: string;
  working_directory: string;
}

export function collectParameters(options: CollectOptions, libraryDirectory: string, grinUrl: string): CollectParameters {
  return {
    library_directory: libraryDirectory,
    list: options.list,
    page_size: options.pageSize,
    limit: options.limit,
    refresh: options.refresh,
    restart: options.restart,
    grin_url: grinUrl,
    credentials_dir: options.simulate === null ? (options.credentialsDir ?? null) : null,
    expected_total: options.expectedTotal,
    simulate: options.simulate,
  };
}

/**
 * First 8 hex digits of the SHA-256 of what must stay the same across resumes of one run: the
 * library, the list, the page size and the data source. The server URL is left out on purpose:
 * a simulator listens on a new port each time and the cursor is re-based onto the new URL.
 */
export function configHash(parameters: CollectParameters): string {
  const stable = {
    library_directory: parameters.library_directory,
    list: parameters.list,
    page_size: parameters.page_size,
    source: parameters.simulate === null ? 'grin' : `simulator:${parameters.simulate}`,
  };
  return createHash('sha256').update(JSON.stringify(stable)).digest('hex').slice(0, 8);
}

export function currentJobMetadata(now: Date, cwd: string, env: Record<string, string | undefined>): JobMetadata {
  return {
    job_started: now.toISOString(),
    started_by_user: currentUser(env),
    hostname: hostname(),
    node_version: process.version,
    platform: platform(),
    working_directory: cwd,
  };
}

function currentUser(env: Record<string, string | undefined>): string {
  try {
    return userInfo().username;
  } catch {
    return env['USER'] ?? env['USERNAME'] ?? 'unknown';
  }
}
