import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import type { ProcessAliveCheck } from '@grin/books';
import { GpgFailedError, GpgMissingError } from './decrypt-errors.js';
import { GpgLauncher, type LaunchedGpg } from './gpg-launcher.js';
import { gpgDecryptArgs, startGpgSession, type DecryptSession, type GpgSessionConfig } from './gpg-session.js';
import { readPassphraseFile } from './passphrase-file.js';
import { createPrivateHomedir, sweepStaleHomedirs } from './private-homedir.js';

const execFileAsync = promisify(execFile);

export interface DecryptorOptions {
  /** The library's GRIN passphrase file (gpg_passphrase.asc). Validated up front. */
  passphraseFile: string;
  /** gpg binary, default `gpg` from PATH. */
  gpgPath?: string;
  /**
   * Accept archives without integrity packet when they use a legacy 64-bit-block cipher
   * (CAST5/IDEA/3DES/Blowfish, the GnuPG 1.x default); they are reported with
   * `integrityProtected: false`. Default false: such archives fail with LegacyCipherRefusedError.
   */
  allowLegacyWithoutIntegrity?: boolean;
  /** Environment for gpg (default: process.env); GPG_TTY is cleared, LC_ALL=C, GNUPGHOME dropped. */
  env?: NodeJS.ProcessEnv;
  /**
   * Where the private gpg home directory (`grin-gpg-<pid>-<random>`) is created, default
   * os.tmpdir(). Home directories there of processes that no longer exist are removed at start.
   */
  tmpDir?: string;
  /** Liveness probe for the start-up sweep (default: signal 0). */
  isProcessAlive?: ProcessAliveCheck;
}

export interface Decryptor {
  /** Start decrypting `input` (the encrypted archive). See DecryptSession for the contract. */
  decrypt(input: Readable, signal?: AbortSignal): DecryptSession;
  /** e.g. `2.2.40`. */
  readonly gpgVersion: string;
  /** Permission bits of the passphrase file. */
  readonly passphraseFileMode: number;
  /** True when the passphrase file is group/world readable (it should be 0600); the caller warns. */
  readonly passphraseFileGroupOrWorldReadable: boolean;
  /** Stale home directories of dead processes removed at start-up (for a log line). */
  readonly staleHomedirsRemoved: readonly string[];
  /** Stop the gpg launcher and delete the private home directory. Call after all sessions settled. */
  close(): Promise<void>;
}

/**
 * Check gpg and the passphrase file, create a private gpg home directory (the user's keyring,
 * configuration and agent are never touched) and return a decryptor that streams archives through
 * `gpg --decrypt`. No gpg-agent is involved: symmetric decryption with a loopback passphrase works
 * without one, and gpg runs with `--no-autostart --no-keyring`, so a killed sync leaves no agent
 * process behind and gpg writes nothing into the home directory; the directory itself (empty) is
 * removed by `close()` or, after a SIGKILL, by the next decryptor's start-up sweep. gpg is started
 * by a small helper process (GpgLauncher), so the sync process itself never forks per archive.
 */
export async function createDecryptor(options: DecryptorOptions): Promise<Decryptor> {
  const gpgPath = options.gpgPath ?? 'gpg';
  const pass = await readPassphraseFile(options.passphraseFile);
  const gpgVersion = await checkGpg(gpgPath);
  const env: NodeJS.ProcessEnv = { ...(options.env ?? process.env), GPG_TTY: '', LC_ALL: 'C', LANGUAGE: 'C' };
  delete env['GNUPGHOME'];
  const tmp = options.tmpDir ?? tmpdir();
  const staleHomedirsRemoved = await sweepStaleHomedirs(tmp, options.isProcessAlive);
  const homedir = await createPrivateHomedir(tmp);
  const sessionConfig: GpgSessionConfig = {
    gpgPath,
    args: gpgDecryptArgs(homedir, options.allowLegacyWithoutIntegrity ?? false),
    passphrase: pass.bytes,
    allowLegacyWithoutIntegrity: options.allowLegacyWithoutIntegrity ?? false,
    env,
  };
  const launcher = new GpgLauncher({ file: gpgPath, args: sessionConfig.args, env });
  const launch = (): Promise<LaunchedGpg> => launcher.launch();
  let closed = false;

  return {
    gpgVersion,
    passphraseFileMode: pass.mode,
    passphraseFileGroupOrWorldReadable: pass.groupOrWorldReadable,
    staleHomedirsRemoved,
    decrypt(input, signal) {
      if (closed) throw new GpgFailedError('decrypt() called after close()');
      return startGpgSession(sessionConfig, launch, input, signal);
    },
    async close() {
      if (closed) return;
      closed = true;
      pass.bytes.fill(0);
      await launcher.close();
      await rm(homedir, { recursive: true, force: true });
    },
  };
}

async function checkGpg(gpgPath: string): Promise<string> {
  let stdout: string;
  try {
    ({ stdout } = await execFileAsync(gpgPath, ['--version'], { timeout: 30_000, env: { ...process.env, LC_ALL: 'C' } }));
  } catch (err) {
    throw new GpgMissingError(`cannot run gpg at ${gpgPath}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, {
      cause: err,
    });
  }
  const m = /^gpg \(GnuPG\) (\d+)\.(\d+)\.(\d+)/m.exec(stdout);
  if (m === null) throw new GpgMissingError(`${gpgPath} does not look like GnuPG: ${stdout.split('\n')[0] ?? ''}`);
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Loopback pinentry, DECRYPTION_INFO and --no-symkey-cache (2.2.7) are needed.
  if (major < 2 || (major === 2 && (minor < 2 || (minor === 2 && patch < 7)))) {
    throw new GpgMissingError(`${gpgPath} is GnuPG ${m[1]}.${m[2]}.${m[3]}; version 2.2.7 or newer is required`);
  }
  return `${m[1]}.${m[2]}.${m[3]}`;
}
