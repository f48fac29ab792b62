import { execFile, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { SimulatorError } from '../errors.js';

export type GpgCipher = 'AES256' | 'CAST5';

export interface GpgEncryptOptions {
  homedir: string;
  passphrase: string;
  cipher: GpgCipher;
  /** Encrypt this file instead of stdin. */
  inputPath?: string;
  gpgPath?: string;
}

export interface GpgProcess {
  /** Null when encrypting a file. */
  stdin: Writable | null;
  stdout: Readable;
  /** Resolves when gpg exits 0; rejects with GPG_FAILED otherwise. */
  done: Promise<void>;
  kill(): void;
}

/**
 * Spawns the real `gpg --symmetric` with a private homedir (the user's keyring is never
 * touched). The passphrase goes through an extra pipe (fd 3), never argv or a file.
 */
export function spawnGpgEncrypt(opts: GpgEncryptOptions): GpgProcess {
  const args = [
    '--homedir', opts.homedir, '--batch', '--yes', '--quiet', '--no-tty', '--no-options',
    '--pinentry-mode', 'loopback', '--passphrase-fd', '3',
    '--symmetric', '--cipher-algo', opts.cipher, '--compress-algo', 'none',
    // A modest S2K count keeps each encrypt/decrypt fast; the default calibrates to ~65M rounds.
    '--s2k-count', '65536',
    '--output', '-',
    // GnuPG 1.x wrote CAST5 messages without an integrity packet (MDC); gpg 2.2 only does that
    // with --rfc2440 (its --disable-mdc is ignored for symmetric encryption).
    ...(opts.cipher === 'CAST5' ? ['--rfc2440'] : []),
  ];
  if (opts.inputPath !== undefined) args.push(opts.inputPath);
  const child = spawn(opts.gpgPath ?? 'gpg', args, {
    stdio: [opts.inputPath === undefined ? 'pipe' : 'ignore', 'pipe', 'pipe', 'pipe'],
    env: { ...process.env, GPG_TTY: '' },
  });
  const passphraseFd = child.stdio[3] as Writable;
  passphraseFd.on('error', () => undefined);
  passphraseFd.end(`${opts.passphrase}\n`);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < 4096) stderr += chunk.toString('utf8');
  });
  const done = new Promise<void>((resolve, reject) => {
    child.once('error', (err) => {
      reject(new SimulatorError('GPG_FAILED', `cannot run gpg: ${err.message}`, { hint: 'install GnuPG 2 (gpg) and make sure it is on PATH', cause: err }));
    });
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new SimulatorError('GPG_FAILED', `gpg exited with ${code ?? signal}: ${stderr.trim()}`, { hint: 'check the gpg installation', retryable: true }));
    });
  });
  done.catch(() => undefined);
  child.stdin?.on('error', () => undefined);
  return { stdin: child.stdin, stdout: child.stdout as Readable, done, kill: () => child.kill('SIGKILL') };
}

/** Stops the gpg-agent gpg started for a private homedir (before the dir is removed). */
export function killGpgAgent(homedir: string): Promise<void> {
  return new Promise((resolve) => {
    execFile('gpgconf', ['--homedir', homedir, '--kill', 'gpg-agent'], () => resolve());
  });
}
