import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { openCatalogue } from '@grin/books';
import { runCli } from '@grin/run';
import { startSimulator, type FaultRule, type RunningSimulator, type SimulatorOptions } from '@grin/simulator';
import { exitCodeFor } from '../../src/cli/exit-codes.js';
import { SYNC_NODE_FLAGS } from '../../src/node-flags.js';
import { syncMain } from '../../src/cli/sync-main.js';
import type { SyncCliDeps } from '../../src/cli/sync-cli-deps.js';

const here = dirname(fileURLToPath(import.meta.url));
export const SYNC_APP_DIR = resolve(here, '../..');
export const CLI_PATH = join(SYNC_APP_DIR, 'src/cli.ts');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Harness {
  sim: RunningSimulator;
  /** Plays the user's working directory (INIT_CWD): runs land in `${workDir}/output/RUN`. */
  workDir: string;
  credentialsDir: string;
  passphraseFile: string;
  /** `--grin-url ... --library-directory ... --credentials-dir ... --passphrase-file ...`. */
  grinArgs: string[];
  /** The first `n` barcodes of the simulator's `_converted` listing. */
  converted(n: number): string[];
  runDir(runName: string): string;
  /** Runs the CLI in this process (no real waits between retries). */
  run(args: string[], extra?: Partial<SyncCliDeps> & { stdinText?: string }): Promise<RunResult>;
  /** Spawns the real CLI (tsx) as a child process. */
  /**
   * Starts the CLI without waiting. `ownProcessGroup`: the CLI leads a process group of its own, so
   * a test can signal the whole group as a terminal's Ctrl-C does (`process.kill(-pid, ...)`).
   */
  spawn(args: string[], env?: Record<string, string>, options?: { ownProcessGroup?: boolean }): ChildProcess & { output: () => { stdout: string; stderr: string } };
  /** GETs of archives per barcode, counted from the simulator's request log (after `since`). */
  downloads(since?: number): Map<string, number>;
  /** The simulator's current request sequence number. */
  seq(): number;
  close(): Promise<void>;
}

/** No real waits: retries and Retry-After go by at once. */
export const instantSleep = (_ms: number, signal?: AbortSignal): Promise<void> =>
  signal?.aborted ? Promise.reject(signal.reason) : new Promise((r) => setImmediate(r));

export async function startHarness(options: SimulatorOptions = {}): Promise<Harness> {
  const sim = await startSimulator({ books: 60, ...options });
  const workDir = await mkdtemp(join(tmpdir(), 'grin-sync-test-'));
  const credentialsDir = join(workDir, 'creds');
  await sim.writeCredentials(credentialsDir);
  const passphraseFile = join(credentialsDir, 'gpg_passphrase.asc');
  const grinArgs = ['--grin-url', sim.grinBaseUrl, '--library-directory', sim.libraryDirectory, '--credentials-dir', credentialsDir, '--passphrase-file', passphraseFile];
  const children = new Set<ChildProcess>();
  // Spawned CLIs get their own TMPDIR: a SIGKILLed CLI cannot stop its private gpg-agent, so
  // close() stops the agents of every decryptor home made there.
  const childTmp = join(workDir, 'tmp');
  await mkdir(childTmp);
  const env = (): Record<string, string | undefined> => ({ PATH: process.env['PATH'], HOME: process.env['HOME'], INIT_CWD: workDir, GRIN_PROGRESS: 'off' });
  return {
    sim,
    workDir,
    credentialsDir,
    passphraseFile,
    grinArgs,
    converted(n) {
      const out: string[] = [];
      for (const book of sim.library.listing('_converted')) {
        out.push(book.barcode);
        if (out.length >= n) break;
      }
      return out;
    },
    runDir: (runName) => join(workDir, 'output', runName),
    async run(args, extra = {}) {
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      let out = '';
      let err = '';
      stdout.on('data', (c: Buffer) => (out += c.toString()));
      stderr.on('data', (c: Buffer) => (err += c.toString()));
      const { stdinText, ...rest } = extra;
      const deps: SyncCliDeps = {
        argv: args,
        env: env(),
        stdin: stdinText === undefined ? Readable.from([]) : Readable.from([stdinText]),
        stdout,
        stderr,
        signals: new EventEmitter(),
        exit: () => {},
        tuning: { sleep: instantSleep, retryBaseDelayMs: 1, progressIntervalMs: 50 },
        ...rest,
      };
      const code = await runCli(() => syncMain(deps), { exitCodeFor, stderr, exit: () => {} });
      return { code, stdout: out, stderr: err };
    },
    spawn(args, extraEnv = {}, options = {}) {
      const child = spawn(process.execPath, [...SYNC_NODE_FLAGS, '--import', 'tsx', CLI_PATH, ...args], {
        cwd: SYNC_APP_DIR,
        env: { ...env(), TMPDIR: childTmp, ...extraEnv } as NodeJS.ProcessEnv,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: options.ownProcessGroup === true,
      }) as ChildProcess & { output: () => { stdout: string; stderr: string } };
      let out = '';
      let err = '';
      child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
      child.output = () => ({ stdout: out, stderr: err });
      children.add(child);
      child.on('exit', () => children.delete(child));
      return child;
    },
    downloads(since = 0) {
      const counts = new Map<string, number>();
      for (const r of sim.requestLog()) {
        if (r.seq <= since || r.endpoint !== 'archive-get' || r.method !== 'GET' || r.barcode === undefined) continue;
        counts.set(r.barcode, (counts.get(r.barcode) ?? 0) + 1);
      }
      return counts;
    },
    seq: () => sim.requestLog().at(-1)?.seq ?? 0,
    async close() {
      for (const c of children) c.kill('SIGKILL');
      await Promise.all([...children].map((c) => waitExit(c)));
      for (const name of await readdir(childTmp).catch(() => [] as string[])) {
        if (!name.startsWith('grin-gpg-')) continue;
        await new Promise<void>((r) => execFile('gpgconf', ['--homedir', join(childTmp, name), '--kill', 'gpg-agent'], () => r()));
      }
      await sim.close();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

/** Waits for a child to exit; resolves with its exit code (or 128+signal). */
export function waitExit(child: ChildProcess): Promise<number> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? 128 + (signal === 'SIGKILL' ? 9 : signal === 'SIGINT' ? 2 : 15))),
  );
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Every file under `dir` (recursive), relative paths. */
export async function listFiles(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = async (d: string, prefix: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const rel = prefix === '' ? e.name : `${prefix}/${e.name}`;
      if (e.isDirectory()) await walk(join(d, e.name), rel);
      else out.push(rel);
    }
  };
  await walk(dir, '');
  return out.sort();
}

/**
 * Asserts the local storage holds exactly `barcodes`, each decrypting to the simulator's original
 * tar (sha256), with the simulator's current ETag in the sidecar; and that the catalogue says so.
 * Returns a list of problems (empty = all good) so tests can show them all at once.
 */
export async function checkLocalSynced(h: Harness, runName: string, storageDir: string, barcodes: readonly string[]): Promise<string[]> {
  const problems: string[] = [];
  const files = await listFiles(join(storageDir, 'raw'));
  const expectedFiles = barcodes.flatMap((b) => [`${b}/${b}.tar.gz`, `${b}/${b}.tar.gz.meta.json`]).sort();
  const unexpected = files.filter((f) => !expectedFiles.includes(f));
  if (unexpected.length > 0) problems.push(`unexpected files in raw/: ${unexpected.join(', ')}`);
  const catalogue = openCatalogue(join(h.runDir(runName), 'books.db'), { readonly: true });
  try {
    for (const b of barcodes) {
      const truth = await h.sim.library.archive(b);
      const path = join(storageDir, 'raw', b, `${b}.tar.gz`);
      if (!existsSync(path)) {
        problems.push(`${b}: not stored`);
        continue;
      }
      if ((await sha256File(path)) !== truth.plaintextSha256) problems.push(`${b}: stored bytes differ from the original tar`);
      const sidecar = JSON.parse(await readFile(`${path}.meta.json`, 'utf8')) as { encrypted_etag: string };
      if (sidecar.encrypted_etag !== truth.etag) problems.push(`${b}: sidecar ETag ${sidecar.encrypted_etag} != GRIN's ${truth.etag}`);
      const row = catalogue.getBook(b);
      if (row === undefined) problems.push(`${b}: no catalogue row`);
      else {
        if (row.sync_timestamp === null) problems.push(`${b}: catalogue does not say synced`);
        if (row.encrypted_etag !== truth.etag) problems.push(`${b}: catalogue ETag ${String(row.encrypted_etag)} != ${truth.etag}`);
        if (row.storage_path !== path) problems.push(`${b}: catalogue storage_path ${String(row.storage_path)} != ${path}`);
        if (row.is_decrypted !== 1) problems.push(`${b}: catalogue is_decrypted ${String(row.is_decrypted)}`);
      }
    }
  } finally {
    catalogue.close();
  }
  return problems;
}

export type { FaultRule };
