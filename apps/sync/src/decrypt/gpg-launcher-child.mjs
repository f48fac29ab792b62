// @ts-check
// The gpg launcher process (see gpg-launcher.ts): starts gpg when the sync process asks and hands
// the five pipe ends over, so the large sync process never forks. Plain JavaScript on purpose: it is
// started with a bare `node` under every host (the tsx CLI, vitest, the benchmarks), no TS loader.
//
// Messages in:  {type:'config', file, args, env} once, then {type:'spawn', id} / {type:'kill', id, signal}.
// Messages out: {type:'ready'}; per spawn either {type:'spawn-failed', id, code, message}, or five
//               {type:'stdio', id, index, pid} each meant to carry that pipe's handle (one that
//               arrives without a handle could not be handed over), then {type:'exit', id, code, signal}.
// Stdin is a pipe from the sync process that is never written: its end means the sync process is
// gone or closed the launcher.
import { spawn } from 'node:child_process';

/**
 * The order the pipe ends are handed over. gpg first blocks reading the passphrase on fd 3, which
 * the sync process writes only once it holds all five ends; by then the launcher has closed its
 * copies of the others (each is closed when the sync process acknowledged it, before the next is
 * sent). So gpg can have written nothing to stdout or the status fd before they moved. What gpg
 * writes to stderr before it reads the passphrase (startup warnings) can be lost.
 */
const HANDOVER_ORDER = [1, 2, 4, 0, 3];

/** @type {{ file: string, args: string[], env: NodeJS.ProcessEnv } | null} */
let config = null;
/** @type {Map<number, import('node:child_process').ChildProcess>} */
const running = new Map();
let stopping = false;

/** @param {Record<string, unknown>} message @param {import('node:net').Socket} [handle] */
function send(message, handle) {
  // A callback turns a closed channel into a no-op instead of an 'error' event.
  if (process.connected) process.send?.(message, handle, {}, () => {});
}

process.on('message', (/** @type {any} */ message) => {
  if (stopping) return;
  if (message.type === 'config') {
    config = { file: message.file, args: message.args, env: message.env };
    send({ type: 'ready' });
  } else if (message.type === 'spawn' && config !== null) {
    start(message.id, config);
  } else if (message.type === 'kill') {
    running.get(message.id)?.kill(message.signal);
  }
});

// The sync process exited, was killed or closed the launcher. Node does not emit 'disconnect'
// while a handle is waiting for its acknowledgement, so the end of stdin is the signal that counts.
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
process.on('disconnect', stop);

/** Kills every gpg (no one will read them any more) and exits once all are reaped (no zombies). */
function stop() {
  if (stopping) return;
  stopping = true;
  for (const child of running.values()) child.kill('SIGKILL');
  exitWhenIdle();
}

function exitWhenIdle() {
  if (stopping && running.size === 0) process.exit(0);
}

/** @param {number} id @param {{ file: string, args: string[], env: NodeJS.ProcessEnv }} cfg */
function start(id, cfg) {
  const child = spawn(cfg.file, cfg.args, { stdio: ['pipe', 'pipe', 'pipe', 'pipe', 'pipe'], env: cfg.env });
  child.on('error', (/** @type {NodeJS.ErrnoException} */ error) => {
    // Without a pid gpg never ran; with one this is e.g. a failed kill, and 'exit' still follows.
    if (child.pid === undefined) send({ type: 'spawn-failed', id, code: error.code ?? null, message: error.message });
  });
  if (child.pid === undefined) return;
  running.set(id, child);
  child.on('exit', (code, signal) => {
    running.delete(id);
    // A gpg killed by stop() is reported by the launcher's own exit ("closed while gpg ran").
    if (!stopping) send({ type: 'exit', id, code, signal });
    exitWhenIdle();
  });
  for (const index of HANDOVER_ORDER) {
    send({ type: 'stdio', id, index, pid: child.pid }, /** @type {import('node:net').Socket} */ (child.stdio[index]));
  }
}
