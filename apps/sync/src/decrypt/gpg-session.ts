import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CorruptArchiveError,
  DecryptAbortedError,
  GpgFailedError,
  GpgMissingError,
  IntegrityError,
  LegacyCipherRefusedError,
  WrongPassphraseError,
} from './decrypt-errors.js';
import { GpgSpawnError, type LaunchedGpg } from './gpg-launcher.js';
import { cipherName, GpgStatusParser, isLegacyCipher, type GpgStatus } from './gpg-status.js';

/** Outcome of a verified decryption. */
export interface DecryptResult {
  /** Symmetric cipher of the archive, e.g. `AES256`, `CAST5`. */
  cipher: string;
  /** False only for legacy archives accepted with `allowLegacyWithoutIntegrity`. */
  integrityProtected: boolean;
  bytesIn: number;
  bytesOut: number;
}

/**
 * One running decryption. `output` must be consumed (it is backpressured end to end: a slow
 * reader stops gpg, which stops reading the input). `output` ends only after the integrity check
 * passed and errors with the same error `done` rejects with; `done` resolves when gpg exited 0,
 * integrity was verified and all plaintext went through `output`.
 */
export interface DecryptSession {
  readonly output: Readable;
  readonly done: Promise<DecryptResult>;
  /** Resolves with gpg's process id once it runs; rejects as `done` does if it could not start. */
  readonly started: Promise<number>;
}

export interface GpgSessionConfig {
  gpgPath: string;
  /** From `gpgDecryptArgs` (built once per decryptor). */
  args: readonly string[];
  /** Passphrase bytes as gpg reads them from a file: first line incl. newline. */
  passphrase: Buffer;
  allowLegacyWithoutIntegrity: boolean;
  env: NodeJS.ProcessEnv;
}

const STDERR_TAIL = 4096;

/** gpg's arguments for a streaming decryption: stdin → stdout, passphrase on fd 3, status on fd 4. */
export function gpgDecryptArgs(homedir: string, allowLegacyWithoutIntegrity: boolean): string[] {
  return [
    '--homedir', homedir,
    // No gpg-agent: a symmetric message with a loopback passphrase needs none, and an agent would
    // outlive a SIGKILLed sync. --no-keyring: nothing is read from or written to the home directory.
    '--no-autostart', '--no-keyring',
    '--batch', '--no-tty', '--quiet', '--no-greeting',
    '--pinentry-mode', 'loopback',
    '--passphrase-fd', '3',
    '--status-fd', '4',
    '--no-symkey-cache',
    // With this flag gpg no longer fails on BADMDC or on a missing MDC by itself; the decision is
    // taken from the status lines (GOODMDC required unless the message has no MDC at all).
    ...(allowLegacyWithoutIntegrity ? ['--ignore-mdc-error'] : []),
    '--decrypt',
  ];
}

/**
 * Start gpg through `launch` (passphrase on fd 3, status on fd 4) and stream `input` through it.
 * The session exists at once; gpg's pipe ends are wired when the launcher delivers them.
 */
export function startGpgSession(cfg: GpgSessionConfig, launch: () => Promise<LaunchedGpg>, input: Readable, signal?: AbortSignal): DecryptSession {
  let child: LaunchedGpg | null = null;
  let exited = false;
  const parser = new GpgStatusParser();
  let stderrTail = '';
  let bytesIn = 0;
  let bytesOut = 0;
  let failure: Error | undefined;
  let inputFailure: Error | undefined;
  let settled = false;
  let resolveFlushed: () => void = () => {};
  const flushed = new Promise<void>((r) => (resolveFlushed = r));
  let settle: (result: Omit<DecryptResult, 'bytesOut'> | Error) => void = () => {};
  const outcome = new Promise<Omit<DecryptResult, 'bytesOut'>>((resolve, reject) => {
    settle = (result) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
  });

  const output = new Transform({
    highWaterMark: 1 << 20,
    transform(chunk: Buffer, _enc, callback) {
      bytesOut += chunk.length;
      callback(null, chunk);
    },
    // The plaintext's end is withheld until gpg has verified integrity.
    flush(callback) {
      resolveFlushed();
      outcome.then(() => callback(), (err: Error) => callback(err));
    },
    destroy(err, callback) {
      if (!settled) cancel(new DecryptAbortedError('decryption output was closed before its end', { cause: err ?? undefined }));
      callback(err);
    },
  });

  function cancel(err: Error): void {
    if (settled || failure !== undefined) return;
    failure = err;
    // Not started yet: wire() sees the failure and kills it then.
    child?.kill('SIGKILL');
    if (!output.destroyed) output.destroy(err);
  }

  const onAbort = (): void => {
    cancel(new DecryptAbortedError('decryption aborted', { cause: signal?.reason }));
  };

  function launchFailed(err: unknown): void {
    const e =
      err instanceof GpgSpawnError && (err.code === 'ENOENT' || err.code === 'EACCES' || err.code === 'ENOTDIR')
        ? new GpgMissingError(`cannot run gpg at ${cfg.gpgPath}: ${err.code}`, { cause: err })
        : err instanceof GpgFailedError
          ? err
          : new GpgFailedError(`cannot start gpg: ${(err as Error).message}`, { cause: err });
    failure ??= e;
    // No pipeline listens on `output` yet: its error must not be an unhandled 'error' event
    // (`done` reports it).
    output.on('error', () => {});
    if (!output.destroyed) output.destroy(e);
    // Nothing will read the input: release it (as a broken pipe to gpg did before).
    input.destroy();
    settle(failure);
  }

  function wire(launched: LaunchedGpg): void {
    child = launched;
    const [stdin, stdout, stderr, passFd, statusFd] = launched.stdio;
    launched.exited.then(({ code, signal: sig, lost }) => {
      exited = true;
      const result = lost !== null ? new GpgFailedError(`${lost}; the decryption's result is unknown`) : classify(code, sig);
      if (result instanceof Error && !output.destroyed) output.destroy(result);
      settle(result);
    });

    statusFd.on('data', (chunk: Buffer) => parser.push(chunk));
    stderr.on('data', (chunk: Buffer) => {
      stderrTail = (stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL);
    });
    // These ends are only read (or only written) here; errors of the unused direction don't matter.
    statusFd.on('error', () => {});
    stderr.on('error', () => {});
    // gpg may exit before reading the passphrase (e.g. no OpenPGP data): EPIPE there is expected.
    passFd.on('error', () => {});
    passFd.end(cfg.passphrase);

    // Closing the pipe when gpg exits early (bad passphrase) gives EPIPE here: gpg's status decides.
    let stdinError: Error | undefined;
    stdin.on('error', (err) => (stdinError = err));
    const countIn = new Transform({
      transform(chunk: Buffer, _enc, callback) {
        bytesIn += chunk.length;
        callback(null, chunk);
      },
    });
    pipeline(input, countIn, stdin).catch((err: Error) => {
      if (err === stdinError || (err as NodeJS.ErrnoException).code === 'EPIPE') return;
      if (inputFailure === undefined && !exited) inputFailure = err;
      if (inputFailure !== undefined && !settled) {
        failure ??= inputFailure;
        launched.kill('SIGKILL');
      }
    });
    pipeline(stdout, output).catch(() => {
      // reported through `done` and output's own error
    });
    // Cancelled (abort, output closed) while gpg was being started.
    if (failure !== undefined) launched.kill('SIGKILL');
  }

  input.once('error', (err) => (inputFailure ??= err));
  // Hold the input until gpg's stdin is here: with a 'data' listener of its own (a byte counter)
  // it would flow meanwhile and those chunks would never reach gpg. pipeline() resumes it.
  input.pause();
  const launching = launch();
  launching.then(wire, launchFailed);
  // launchFailed (registered first) has set `failure`, the error `done` rejects with.
  const started = launching.then(
    (launched) => launched.pid,
    () => Promise.reject(failure),
  );
  started.catch(() => {});

  if (signal !== undefined) {
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  }

  function classify(code: number | null, sig: NodeJS.Signals | null): Omit<DecryptResult, 'bytesOut'> | Error {
    if (failure !== undefined) return failure;
    if (inputFailure !== undefined) return inputFailure;
    const st: GpgStatus = parser.end();
    const opts = { gpgStderr: stderrTail };
    const cipher = cipherName(st.cipherAlgo);
    const noMdc = st.mdcMethod === 0 && (st.aeadAlgo ?? 0) === 0;
    if (st.badPassphrase) return new WrongPassphraseError('wrong passphrase: gpg could not decrypt the session key', opts);
    if (st.badMdc) return new IntegrityError('integrity check failed (BADMDC): the archive was modified or damaged', opts);
    if (noMdc && !isLegacyCipher(st.cipherAlgo) && st.cipherAlgo !== null) {
      // GnuPG 1.x always added an MDC for 128-bit-block ciphers; an AES message without one
      // is most likely an MDC-stripping manipulation, so it is refused even in legacy mode.
      return new IntegrityError(`archive uses ${cipher} without integrity protection; refusing`, opts);
    }
    if (st.legacyRefused || (noMdc && !cfg.allowLegacyWithoutIntegrity)) {
      return new LegacyCipherRefusedError(`archive uses ${cipher} without integrity protection (legacy GnuPG 1.x format)`, opts);
    }
    if (st.noData) return new CorruptArchiveError('no OpenPGP data found: the file is not an encrypted archive', opts);
    if (st.noSecretKey) return new CorruptArchiveError('the archive is encrypted to a public key, not with a passphrase', opts);
    if (sig !== null) return new GpgFailedError(`gpg was killed by ${sig}`, opts);
    if (code !== 0 || st.decryptionFailed || !st.decryptionOkay) {
      return new CorruptArchiveError(`gpg could not decrypt the archive (exit ${code ?? '?'}): it is truncated or damaged`, opts);
    }
    const integrityProtected = st.goodMdc || (st.aeadAlgo ?? 0) > 0;
    if (!integrityProtected && !(noMdc && cfg.allowLegacyWithoutIntegrity)) {
      // With --ignore-mdc-error gpg reports success for a damaged MDC message: GOODMDC is required.
      return new IntegrityError('gpg reported success but the integrity check did not pass', opts);
    }
    return { cipher, integrityProtected, bytesIn };
  }

  const done = outcome.then(async (r) => {
    await flushed;
    return { ...r, bytesOut };
  });
  // `done` is the caller's to observe; avoid an unhandled rejection if they only watch `output`.
  done.catch(() => {});
  return { output, done, started };
}
