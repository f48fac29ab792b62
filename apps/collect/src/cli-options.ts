import { parseArgs } from 'node:util';
import type { ReporterMode } from '@grin/progress';
import { defaultRunName, resolveUserPath, UsageError, validateRunName } from '@grin/run';

/** The default listing: every volume, converted ones included (reference 1.4 notes). */
export const DEFAULT_LIST = '_all_books';
export const DEFAULT_PAGE_SIZE = 10_000;
export const DEFAULT_SIMULATED_BOOKS = 2_000;

/** What `pnpm run collect` was asked to do, with every user path already resolved. */
export interface CollectOptions {
  /** GRIN library directory; with `--simulate` it defaults to the simulator's. */
  libraryDirectory: string | undefined;
  runName: string;
  list: string;
  pageSize: number;
  /** Stop after this many rows stored in this session; null = no limit. */
  limit: number | null;
  refresh: boolean;
  restart: boolean;
  /** GRIN base URL (`https://books.google.com/libraries/`); undefined = the client's default. */
  grinUrl: string | undefined;
  /** Absolute; undefined = the client's default (GRIN_CREDENTIALS_DIR or ~/.config/grin). */
  credentialsDir: string | undefined;
  expectedTotal: number | null;
  /** Absolute root of the run directories (default `<cwd>/output`). */
  outputDir: string;
  /** Whether --output-dir was given (the resume command repeats it). */
  outputDirGiven: boolean;
  progress: ReporterMode;
  /** Books of an in-process simulated library, or null for real GRIN. */
  simulate: number | null;
  help: boolean;
}

export const USAGE = `Usage: pnpm run collect -- --library-directory DIR [options]

Collects a GRIN library's listing into output/RUN/books.db (resumable), then writes
output/RUN/books_export.csv and output/RUN/process_summary.json.

  --library-directory DIR  GRIN library directory, e.g. Harvard (case-sensitive)
  --run-name NAME          run directory output/NAME (default run_YYYYMMDD_HHMMSS);
                           rerun with the same name to resume
  --list NAME              listing to collect (default ${DEFAULT_LIST})
  --page-size N            rows per listing page (default ${DEFAULT_PAGE_SIZE.toLocaleString('en-US')})
  --limit N                stop after N rows (testing; the collection stays resumable)
  --refresh                update stored books with GRIN's current values (never blanks a value)
  --restart                walk the listing again from page 1 (rows already stored are kept)
  --grin-url URL           GRIN base URL (default https://books.google.com/libraries/)
  --credentials-dir DIR    OAuth files (default $GRIN_CREDENTIALS_DIR or ~/.config/grin)
  --expected-total N       expected number of rows, for the ETA of a first walk
  --output-dir DIR         root of the run directories (default ./output)
  --progress MODE          tty | plain | json | off (default: tty on a terminal, else plain;
                           env GRIN_PROGRESS)
  --simulate [N]           collect from an in-process simulated GRIN of N books (default
                           ${DEFAULT_SIMULATED_BOOKS.toLocaleString('en-US')}); needs no account
  --help                   this text

Ctrl-C finishes the page in hand, saves and prints the command that resumes; a second
Ctrl-C stops at once (the database stays consistent).
`;

const PROGRESS_MODES: readonly ReporterMode[] = ['auto', 'tty', 'plain', 'json', 'off'];
const LIST_NAME = /^[A-Za-z0-9_-]{1,100}$/;

/**
 * Parses the collect command line (arguments after the script name; a leading `--` left by
 * `pnpm run collect -- ...` is dropped). Paths are resolved against the user's directory
 * (INIT_CWD under pnpm). Throws UsageError for anything wrong on the command line.
 */
export function parseCollectArgs(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  now: Date = new Date(),
): CollectOptions {
  const args = normaliseSimulateFlag(argv[0] === '--' ? argv.slice(1) : [...argv]);
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      strict: true,
      allowPositionals: true,
      options: {
        'library-directory': { type: 'string' },
        'run-name': { type: 'string' },
        list: { type: 'string' },
        'page-size': { type: 'string' },
        limit: { type: 'string' },
        refresh: { type: 'boolean' },
        restart: { type: 'boolean' },
        'grin-url': { type: 'string' },
        'credentials-dir': { type: 'string' },
        'expected-total': { type: 'string' },
        'output-dir': { type: 'string' },
        progress: { type: 'string' },
        simulate: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0] ?? 'invalid command line');
  }
  if (positionals.length > 0) {
    throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  }
  const str = (name: string): string | undefined => values[name] as string | undefined;
  const help = values['help'] === true;
  const simulate = str('simulate') === undefined ? null : positiveInteger('--simulate', str('simulate')!);
  const libraryDirectory = str('library-directory');
  if (!help && libraryDirectory === undefined && simulate === null) {
    throw new UsageError(
      '--library-directory is required',
      'Give your GRIN library directory, e.g. --library-directory Harvard, or try --simulate.',
    );
  }
  if (simulate !== null && str('grin-url') !== undefined) {
    throw new UsageError('--simulate and --grin-url cannot be combined', '--simulate starts its own GRIN server.');
  }
  if (simulate !== null && str('credentials-dir') !== undefined) {
    throw new UsageError(
      '--simulate and --credentials-dir cannot be combined',
      '--simulate writes its own temporary credentials.',
    );
  }
  const list = str('list') ?? DEFAULT_LIST;
  if (!LIST_NAME.test(list)) throw new UsageError(`invalid list name ${JSON.stringify(list)}`, 'Use e.g. --list _all_books.');
  const progress = (str('progress') ?? 'auto') as ReporterMode;
  if (!PROGRESS_MODES.includes(progress)) {
    throw new UsageError(`invalid --progress ${JSON.stringify(progress)}`, 'Use one of tty, plain, json, off.');
  }
  const runName = str('run-name');
  const outputDir = str('output-dir');
  return {
    libraryDirectory,
    runName: runName === undefined ? defaultRunName(now) : validateRunName(runName),
    list,
    pageSize: str('page-size') === undefined ? DEFAULT_PAGE_SIZE : positiveInteger('--page-size', str('page-size')!),
    limit: str('limit') === undefined ? null : positiveInteger('--limit', str('limit')!),
    refresh: values['refresh'] === true,
    restart: values['restart'] === true,
    grinUrl: str('grin-url'),
    credentialsDir: str('credentials-dir') === undefined ? undefined : resolveUserPath(str('credentials-dir')!, env),
    expectedTotal: str('expected-total') === undefined ? null : positiveInteger('--expected-total', str('expected-total')!),
    outputDir: resolveUserPath(outputDir ?? 'output', env),
    outputDirGiven: outputDir !== undefined,
    progress,
    simulate,
    help,
  };
}

/** `--simulate` takes an optional count: `--simulate`, `--simulate 5000`, `--simulate=5000`. */
function normaliseSimulateFlag(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      out.push(...args.slice(i));
      break;
    }
    if (arg !== '--simulate') {
      out.push(arg);
      continue;
    }
    const next = args[i + 1];
    if (next !== undefined && /^[0-9][0-9_,]*$/.test(next)) {
      out.push(`--simulate=${next}`);
      i += 1;
    } else {
      out.push(`--simulate=${DEFAULT_SIMULATED_BOOKS}`);
    }
  }
  return out;
}

function positiveInteger(option: string, raw: string): number {
  const cleaned = raw.replace(/[_,]/g, '');
  const n = Number(cleaned);
  if (!/^[0-9]+$/.test(cleaned) || !Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(`${option} expects a positive whole number, got ${JSON.stringify(raw)}`);
  }
  return n;
}
