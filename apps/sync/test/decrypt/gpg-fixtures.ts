import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DecryptSession } from '../../src/decrypt/index.js';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const PASSPHRASE = 'correct horse battery staple';

/** A temp directory with a 0600 passphrase file and a gpg home used only to encrypt fixtures. */
export interface GpgWorkdir {
  dir: string;
  passphraseFile: string;
  /** Encrypt `plaintextFile` symmetrically with the real gpg; returns the .gpg path. */
  encryptFile(plaintextFile: string, extraArgs?: string[]): Promise<string>;
  encrypt(plaintext: Buffer, extraArgs?: string[]): Promise<Buffer>;
  dispose(): Promise<void>;
}

/** Runs the real gpg with `args`; rejects with its stderr when it exits non-zero. */
export function runGpgEncrypt(args: readonly string[]): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const child = spawn('gpg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`gpg encrypt failed (${code}): ${err}`))));
  });
}

export async function makeGpgWorkdir(): Promise<GpgWorkdir> {
  const dir = await mkdtemp(join(tmpdir(), 'grin-decrypt-test-'));
  const home = join(dir, 'encrypt-home');
  await execFileAsync('mkdir', ['-m', '700', home]);
  const passphraseFile = join(dir, 'gpg_passphrase.asc');
  await writeFile(passphraseFile, `${PASSPHRASE}\n`, { mode: 0o600 });
  await chmod(passphraseFile, 0o600);
  let n = 0;
  const encryptFile = async (plaintextFile: string, extraArgs: string[] = []): Promise<string> => {
    const out = join(dir, `fixture-${++n}.gpg`);
    const args = [
      // --no-autostart: symmetric encryption with a loopback passphrase needs no gpg-agent.
      '--homedir', home, '--no-autostart', '--batch', '--quiet', '--yes', '--pinentry-mode', 'loopback',
      '--passphrase-file', passphraseFile, '--symmetric', '--cipher-algo', 'AES256',
      // A low S2K count keeps the suite fast; pass '--s2k-count 65011712' for gpg's real default.
      '--s2k-count', '65536',
      ...extraArgs, '--output', out, plaintextFile,
    ];
    await runGpgEncrypt(args);
    return out;
  };
  return {
    dir,
    passphraseFile,
    encryptFile,
    encrypt: async (plaintext, extraArgs) => {
      const p = join(dir, `plain-${++n}.bin`);
      await writeFile(p, plaintext);
      return readFile(await encryptFile(p, extraArgs));
    },
    dispose: async () => {
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** True while a process with this pid exists (a zombie counts as existing). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** A process as /proc shows it. */
export interface ProcEntry {
  pid: number;
  ppid: number;
  /** Exited but not reaped (an orphan may never be reaped by this machine's init). */
  zombie: boolean;
  args: string[];
}

/** The process `pid`, or null once it is gone. */
export async function readProc(pid: number): Promise<ProcEntry | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const args = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter((a) => a !== '');
    return { pid, ppid: Number(ppid), zombie: state === 'Z', args };
  } catch {
    return null;
  }
}

/** Every process of this machine. */
export async function listProcesses(): Promise<ProcEntry[]> {
  const found = await Promise.all((await readdir('/proc')).filter((n) => /^\d+$/.test(n)).map((n) => readProc(Number(n))));
  return found.filter((p): p is ProcEntry => p !== null);
}

/** Pids of gpg-agent processes whose command line mentions `dir` (e.g. a private gpg home). */
export async function agentsUsing(dir: string): Promise<number[]> {
  return (await listProcesses()).filter((p) => p.args.some((a) => a.endsWith('gpg-agent')) && p.args.some((a) => a.includes(dir))).map((p) => p.pid);
}

/**
 * Runs `body` (lines of an ES module, with `Readable` and `createDecryptor` in scope) in its own
 * Node process, as a sync process would; resolves once its stdout matched `ready`, with the match.
 * The process is left running (for the caller to kill).
 */
export async function startDecryptProcess(
  dir: string,
  name: string,
  body: readonly string[],
  ready: RegExp,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const script = join(dir, `${name}.mjs`);
  const decryptModule = fileURLToPath(new URL('../../src/decrypt/index.ts', import.meta.url));
  await writeFile(script, ["import { Readable } from 'node:stream';", `const { createDecryptor } = await import(${JSON.stringify(decryptModule)});`, ...body].join('\n'));
  const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      const m = ready.exec(c.toString());
      if (m) resolve(m);
    });
    child.on('exit', (code) => reject(new Error(`child exited ${code}: ${stderr}`)));
  });
  return { child, match };
}

/** Reads a session's whole output; the error it ended with, if any, instead of throwing. */
export async function collect(session: DecryptSession): Promise<{ data: Buffer; error?: unknown }> {
  const chunks: Buffer[] = [];
  try {
    for await (const c of session.output) chunks.push(c as Buffer);
    return { data: Buffer.concat(chunks) };
  } catch (error) {
    return { data: Buffer.concat(chunks), error };
  }
}
