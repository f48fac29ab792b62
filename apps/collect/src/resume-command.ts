import type { CollectOptions } from './cli-options.js';
import { DEFAULT_LIST, DEFAULT_PAGE_SIZE } from './cli-options.js';

/**
 * The exact command that continues this run: same run name (a default one is a timestamp the
 * user never typed), same library and source, absolute paths so it works from any directory.
 * `--limit` and `--restart` are left out on purpose: resuming means "carry on to the end".
 */
export function resumeCommand(options: CollectOptions, libraryDirectory: string, refreshWalk: boolean): string {
  const args: string[] = [];
  if (options.simulate !== null) args.push('--simulate', String(options.simulate));
  if (options.simulate === null || options.libraryDirectory !== undefined) args.push('--library-directory', libraryDirectory);
  args.push('--run-name', options.runName);
  if (options.list !== DEFAULT_LIST) args.push('--list', options.list);
  if (options.pageSize !== DEFAULT_PAGE_SIZE) args.push('--page-size', String(options.pageSize));
  if (refreshWalk) args.push('--refresh');
  if (options.grinUrl !== undefined) args.push('--grin-url', options.grinUrl);
  if (options.credentialsDir !== undefined) args.push('--credentials-dir', options.credentialsDir);
  if (options.expectedTotal !== null) args.push('--expected-total', String(options.expectedTotal));
  if (options.outputDirGiven) args.push('--output-dir', options.outputDir);
  return ['pnpm', 'run', 'collect', '--', ...args.map(shellQuote)].join(' ');
}

/** POSIX shell quoting: plain words stay as they are, anything else is single-quoted. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
