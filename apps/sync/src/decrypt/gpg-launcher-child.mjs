// @ts-check
// The gpg launcher process (see gpg-launcher.ts): starts gpg when the sync process asks and hands
// the five pipe ends over, so the large sync process never forks. Plain JavaScript on purpose: it is
// started with a bare `node` under every host (the tsx CLI, vitest, the benchmarks), no TS loader.
//
// Messages in:  {type:'config', file, args, env} once, then {type:'spawn', id} / {type:'kill', id, signal}.
// Messages out: {type:'ready'}; per spawn either {type:'spawn-failed', id, code, message}, or five
//               {type:'stdio', id, index, pid} each carrying that pipe's handle, then {type:'exit', id, code, signal}.
import { spawn } from 'node:child_process';

/** The order the pipe ends are handed over: gpg's outputs first (see below), its inputs last. */
const HANDOVER_ORDER = [1, 2, 4, 0, 3];

/** @type {{ file: string, args: string[], env: NodeJS.ProcessEnv } | null} */
let config = null;
/** @type {Map<number, import('node:child_process').ChildProcess>} */
const running = new Map();

/** @param {Record<string, unknown>} message @param {import('node:net').Socket} [handle] */
function send(message, handle) {
  // The channel is gone only when the sync process is: 'disconnect' below ends everything.
  if (process.connected) process.send?.(message, handle);
}

process.on('message', (/** @type {any} */ message) => {
  if (message.type === 'config') {
    config = { file: message.file, args: message.args, env: message.env };
    send({ type: 'ready' });
  } else if (message.type === 'spawn' && config !== null) {
    start(message.id, config);
  } else if (message.type === 'kill') {
    running.get(message.id)?.kill(message.signal);
  }
});

// The sync process exited or was killed: no one will read gpg's output any more.
process.on('disconnect', () => {
  for (const child of running.values()) child.kill('SIGKILL');
  process.exit(0);
});

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
    send({ type: 'exit', id, code, signal });
  });
  // Node starts reading a readable pipe at once, and once a handle is handed over this process
  // drops what it reads. gpg writes nothing to stdout or the status fd before it reads its input,
  // and the sync process writes input only after it holds all five ends; handing the outputs over
  // first keeps even early stderr lines.
  for (const index of HANDOVER_ORDER) {
    send({ type: 'stdio', id, index, pid: child.pid }, /** @type {import('node:net').Socket} */ (child.stdio[index]));
  }
}
