import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { openCatalogue, type BookRow, type ListingCursor } from '@grin/books';
import { collectExitCodeFor, parseCollectArgs, runCollect, type CollectDeps } from '../../src/index.js';
import { COLLECTED_COLUMNS } from './simulated-grin.js';

export const PACKAGE_DIR = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(PACKAGE_DIR, 'src', 'cli.ts');

export function makeTempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'collect-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface InProcessRun {
  code: number | null;
  error: (Error & { code?: string; hint?: string }) | null;
  /** Exit code the CLI would use (runCli's mapping). */
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Fast retries so fault tests take milliseconds, not GRIN's seconds. */
export const FAST_RETRY = { retry: { attempts: 6, baseDelayMs: 5, maxDelayMs: 20 } } as const;

/**
 * Runs the real command in this process with captured output. `signals` lets a test send SIGINT;
 * a second SIGINT calls `onExit` instead of ending the test process.
 */
export async function collectInProcess(
  argv: string[],
  cwd: string,
  extra: Partial<CollectDeps> & { signals?: EventEmitter; onExit?: (code: number) => void } = {},
): Promise<InProcessRun> {
  const out = capture();
  const err = capture();
  const env = { INIT_CWD: cwd, GRIN_PROGRESS: 'plain' };
  let code: number | null = null;
  let error: InProcessRun['error'] = null;
  try {
    code = await runCollect(parseCollectArgs(argv, env), {
      env,
      stdout: out.stream,
      stderr: err.stream,
      signals: extra.signals ?? new EventEmitter(),
      exit: extra.onExit ?? (() => undefined),
      client: FAST_RETRY,
      ...extra,
    });
  } catch (caught) {
    error = caught as InProcessRun['error'];
  }
  const exitCode =
    code ?? (error && typeof error.code === 'string' ? (collectExitCodeFor(error as Error & { code: string }) ?? 1) : 70);
  return { code, error, exitCode, stdout: out.text(), stderr: err.text() };
}

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

export interface SpawnedCollect {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout: () => string;
  stderr: () => string;
  /** Resolves when stderr/stdout has a line matching `re`. */
  waitForOutput(re: RegExp): Promise<void>;
}

/** The real CLI in its own process (`node --import tsx src/cli.ts -- ...`), INIT_CWD = `cwd`. */
/**
 * `viaPnpm`: run the documented `pnpm run collect -- ...` from `cwd` in its own process group, so
 * a test can signal the whole group the way a terminal's Ctrl-C does (`process.kill(-pid)`).
 */
export function spawnCollect(args: string[], cwd: string, env: Record<string, string> = {}, options: { viaPnpm?: boolean } = {}): SpawnedCollect {
  const child = options.viaPnpm
    ? spawn('pnpm', ['--dir', join(PACKAGE_DIR, '..', '..'), 'run', 'collect', '--', ...args], {
        cwd,
        env: { ...process.env, GRIN_PROGRESS: 'plain', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      })
    : spawn(process.execPath, ['--import', 'tsx', CLI, '--', ...args], {
        cwd: PACKAGE_DIR,
        env: { ...process.env, INIT_CWD: cwd, GRIN_PROGRESS: 'plain', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
  let out = '';
  let err = '';
  const watchers: { re: RegExp; resolve: () => void }[] = [];
  const check = (): void => {
    for (const w of [...watchers]) {
      if (w.re.test(out) || w.re.test(err)) {
        watchers.splice(watchers.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString('utf8');
    check();
  });
  child.stderr!.on('data', (c: Buffer) => {
    err += c.toString('utf8');
    check();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    exited,
    stdout: () => out,
    stderr: () => err,
    waitForOutput: (re) =>
      new Promise<void>((resolve, reject) => {
        watchers.push({ re, resolve });
        check();
        void exited.then(() => setTimeout(() => reject(new Error(`process exited before output ${re}:\n${out}\n${err}`)), 50));
      }),
  };
}

/** Polls `predicate` every few ms (no blind sleeping: each test waits for a state it can see). */
export async function waitUntil(predicate: () => boolean | Promise<boolean>, timeoutMs = 30_000, everyMs = 2): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('waitUntil: timed out');
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export function runDir(cwd: string, runName: string): string {
  return join(cwd, 'output', runName);
}

/** The collected columns of every book, sorted by barcode, read through @grin/books (read-only). */
export function readBooks(dbPath: string): Record<string, unknown>[] {
  const cat = openCatalogue(dbPath, { readonly: true });
  try {
    const rows = [...cat.iterateBooks({ batchSize: 5000 })].map((b: BookRow) => {
      const row: Record<string, unknown> = {};
      for (const c of COLLECTED_COLUMNS) row[c] = b[c];
      return row;
    });
    return rows.sort((a, b) => String(a['barcode']).localeCompare(String(b['barcode'])));
  } finally {
    cat.close();
  }
}

/** The listing cursor, read-only; undefined when the database or the cursor does not exist yet. */
export function readCursor(dbPath: string, list = '_all_books'): ListingCursor | undefined {
  try {
    const cat = openCatalogue(dbPath, { readonly: true, busyTimeoutMs: 1000 });
    try {
      return cat.getListingCursor(list);
    } finally {
      cat.close();
    }
  } catch {
    return undefined;
  }
}
