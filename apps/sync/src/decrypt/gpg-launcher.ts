import { fork, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { GpgFailedError } from './decrypt-errors.js';

/** How gpg ended; `lost` says why the exit status is unknown (the launcher ended first), else null. */
export interface GpgExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  lost: string | null;
}

/**
 * One gpg started by the launcher: its five pipe ends (stdin, stdout, stderr, passphrase fd 3,
 * status fd 4) and its exit. `exited` resolves when gpg exited and all five ends closed, like a
 * ChildProcess's 'close' (or at once when the launcher died: `lost`).
 */
export interface LaunchedGpg {
  readonly pid: number;
  readonly stdio: readonly [Socket, Socket, Socket, Socket, Socket];
  readonly exited: Promise<GpgExit>;
  kill(signal: NodeJS.Signals): void;
}

/** Why gpg could not be started: `code` is the errno name (ENOENT when gpg is missing). */
export class GpgSpawnError extends Error {
  constructor(
    message: string,
    readonly code: string | null,
  ) {
    super(message);
    this.name = 'GpgSpawnError';
  }
}

export interface GpgCommand {
  file: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
}

interface Pending {
  /** The pipe ends received so far, by fd. */
  stdio: (Socket | undefined)[];
  pid: number;
  started: (launched: LaunchedGpg) => void;
  failed: (error: Error) => void;
  /** gpg's exit as the launcher reported it (or `lost`); settled by settleExit. */
  exit: Promise<GpgExit>;
  reportExit: (result: GpgExit) => void;
  /** A pipe end arrived without its handle (gpg already gone, or no free fd here). */
  handoverFailed: boolean;
}

/** All five pipe ends are here: the launch has been handed to a session. */
function handedOver(entry: Pending): boolean {
  return entry.stdio.filter((socket) => socket !== undefined).length === 5;
}

/** Messages of gpg-launcher-child.mjs. */
type ChildMessage =
  | { type: 'ready' }
  | { type: 'spawn-failed'; id: number; code: string | null; message: string }
  | { type: 'stdio'; id: number; index: number; pid: number }
  | { type: 'exit'; id: number; code: number | null; signal: NodeJS.Signals | null };

const CHILD = new URL('./gpg-launcher-child.mjs', import.meta.url);
/** How long close() waits for the launcher to reap its gpgs and exit before killing it. */
const CLOSE_GRACE_MS = 10_000;

/**
 * Starts gpg from a small helper process instead of from the sync process. Why: Node forks the
 * whole calling process to start a child. The sync process is ~200 MB, so each gpg start blocked
 * its event loop for ~2.5 ms, and after every fork each page the process wrote took a
 * copy-on-write fault (~600,000 per GB synced with 5 MB archives, ~900,000 with extraction on).
 * Measured in the sync benchmark with 5 MB archives: end-to-end MB/s ~25 % higher, with
 * extraction on and off. The helper is ~50 MB RSS (~8 MB of it its own) and starts gpg beside the
 * sync process; the pipe ends come over the IPC channel, so the data flows between gpg and the
 * sync process directly.
 *
 * The helper is started on first use and again if it died; it kills its gpg processes and exits
 * when the sync process goes away (also on SIGKILL: its IPC channel closes). It runs in a session
 * of its own, so a terminal's Ctrl-C reaches only the sync process.
 */
export class GpgLauncher {
  private child: ChildProcess | null = null;
  private ready: Promise<ChildProcess> | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closed = false;
  private closing = false;

  constructor(private readonly command: GpgCommand) {}

  /** Starts gpg with the command's arguments; rejects with GpgSpawnError or GpgFailedError. */
  async launch(): Promise<LaunchedGpg> {
    if (this.closed) throw new GpgFailedError('the gpg launcher was closed');
    const child = await this.helper();
    const id = this.nextId++;
    let reportExit: (result: GpgExit) => void = () => {};
    const exit = new Promise<GpgExit>((resolve) => (reportExit = resolve));
    const launched = new Promise<LaunchedGpg>((started, failed) => {
      this.pending.set(id, { stdio: [], pid: 0, started, failed, exit, reportExit, handoverFailed: false });
    });
    this.refWhileBusy();
    // With a callback, a closed channel is reported here instead of as an 'error' event.
    child.send({ type: 'spawn', id }, (error) => {
      const entry = error === null ? undefined : this.pending.get(id);
      if (entry !== undefined) this.settleExit(id, entry, { code: null, signal: null, lost: `cannot reach the gpg launcher: ${error?.message ?? ''}` });
    });
    return launched;
  }

  /** Ends the helper (it kills and reaps its gpg processes) and waits for it to exit. */
  async close(): Promise<void> {
    this.closed = true;
    const child = this.child;
    if (child === null || child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    this.closing = true;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    // An idle launcher is unref'd; waiting for its exit must keep the process alive.
    child.ref();
    // The end of its stdin tells it to stop (see gpg-launcher-child.mjs).
    child.stdin?.end();
    const overdue = setTimeout(() => child.kill('SIGKILL'), CLOSE_GRACE_MS);
    await exited;
    clearTimeout(overdue);
  }

  private helper(): Promise<ChildProcess> {
    this.ready ??= new Promise<ChildProcess>((resolve, reject) => {
      // No execArgv: the parent's (--import tsx, heap flags, --cpu-prof) are not for this process.
      // detached: a session of its own, so a terminal's Ctrl-C (SIGINT to the whole foreground
      // process group) reaches the sync process, which finishes the volumes in flight, and not
      // the launcher or the gpgs it starts, which would kill those volumes' decryption.
      // Its stdin is a pipe never written to: it ends when this process ends, however it ends.
      const child = fork(CHILD, [], { execArgv: [], stdio: ['pipe', 'ignore', 'inherit', 'ipc'], serialization: 'json', detached: true });
      this.child = child;
      // EPIPE once the launcher is gone does not matter: nothing is written.
      child.stdin?.on('error', () => {});
      let started = false;
      child.on('message', (message: ChildMessage, handle?: Socket) => {
        if (message.type === 'ready') {
          started = true;
          resolve(child);
        } else {
          this.onMessage(message, handle);
        }
      });
      // Before 'ready' an error means it could not start; later ones come with an 'exit' as well.
      child.on('error', (error) => {
        if (this.child === child && !started) this.ready = null;
        reject(new GpgFailedError(`cannot start the gpg launcher: ${error.message}`, { cause: error }));
      });
      child.once('exit', (code, signal) => {
        if (this.child === child) this.child = null;
        this.ready = null;
        const why = this.closing ? 'the gpg launcher was closed' : `the gpg launcher process exited (${signal ?? `code ${code}`})`;
        reject(new GpgFailedError(why));
        this.failAll(`${why} while gpg ran`);
      });
      // Without a pid the fork failed: 'error' follows and rejects.
      if (child.pid === undefined) return;
      child.send({ type: 'config', file: this.command.file, args: this.command.args, env: this.command.env }, (error) => {
        if (error !== null) reject(new GpgFailedError(`cannot start the gpg launcher: ${error.message}`, { cause: error }));
      });
    });
    return this.ready;
  }

  private onMessage(message: Exclude<ChildMessage, { type: 'ready' }>, handle: Socket | undefined): void {
    const entry = this.pending.get(message.id);
    if (entry === undefined) {
      handle?.destroy();
      return;
    }
    if (message.type === 'spawn-failed') {
      this.pending.delete(message.id);
      entry.failed(new GpgSpawnError(`cannot run ${this.command.file}: ${message.code ?? message.message}`, message.code));
      this.refWhileBusy();
    } else if (message.type === 'stdio') {
      if (handle === undefined) {
        // gpg is useless without all five ends: stop it; its 'exit' then fails the launch.
        entry.handoverFailed = true;
        this.kill(message.id, 'SIGKILL');
        return;
      }
      entry.pid = message.pid;
      entry.stdio[message.index] = handle;
      if (handedOver(entry)) entry.started(this.launched(message.id, entry));
    } else {
      this.settleExit(message.id, entry, { code: message.code, signal: message.signal, lost: null });
    }
  }

  private launched(id: number, entry: Pending): LaunchedGpg {
    const stdio = entry.stdio as [Socket, Socket, Socket, Socket, Socket];
    // 'close' of a ChildProcess: gpg exited and every pipe end closed.
    const allClosed = Promise.all(stdio.map((s) => (s.closed ? undefined : new Promise<void>((resolve) => s.once('close', () => resolve())))));
    return {
      pid: entry.pid,
      stdio,
      // Lost: at once (the pipes are closed after it, see settleExit).
      exited: entry.exit.then((status) => (status.lost !== null ? status : allClosed.then(() => status))),
      kill: (signal) => {
        if (this.pending.has(id)) this.kill(id, signal);
      },
    };
  }

  /** Asks the launcher to signal gpg `id`. A closed channel means the launcher is gone; its gpg then ends with its closed pipes. */
  private kill(id: number, signal: NodeJS.Signals): void {
    this.child?.send({ type: 'kill', id, signal }, () => {});
  }

  private settleExit(id: number, entry: Pending, result: GpgExit): void {
    this.pending.delete(id);
    if (!handedOver(entry)) {
      // Ended before it was handed over: the launch fails (no session was wired to it).
      for (const socket of entry.stdio) socket?.destroy();
      const how = result.lost ?? `gpg exited (${result.signal ?? `code ${result.code}`}) before its pipes reached the sync process`;
      const why = entry.handoverFailed ? `${how}: a pipe could not be handed over (gpg ended at once, or this process is out of file descriptors)` : how;
      entry.failed(new GpgFailedError(why));
    } else {
      entry.reportExit(result);
      // The launcher is gone: close our ends so gpg (now an orphan) ends at once instead of when
      // its input ends. After the session has settled with `lost` (promise callbacks run first),
      // so its output fails with that error, not with the broken pipe.
      if (result.lost !== null) setImmediate(() => entry.stdio.forEach((socket) => socket?.destroy()));
    }
    this.refWhileBusy();
  }

  /**
   * The helper died: launches in flight fail; running gpgs are reported lost (their session then
   * fails and closes its pipe ends, which ends gpg: it is not killed by pid, which may be reused).
   */
  private failAll(why: string): void {
    for (const [id, entry] of this.pending) this.settleExit(id, entry, { code: null, signal: null, lost: why });
  }

  /** Keeps the event loop alive only while gpg runs, so an idle launcher never holds the process. */
  private refWhileBusy(): void {
    const child = this.child;
    if (child === null) return;
    const channel = (child as ChildProcess & { channel?: { ref(): void; unref(): void } }).channel;
    if (this.pending.size > 0) {
      child.ref();
      channel?.ref();
    } else {
      child.unref();
      channel?.unref();
    }
  }
}
