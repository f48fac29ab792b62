// One decryption candidate, run in its own process so that peak RSS belongs to it alone.
// Prints one JSON line: { candidate, bytesOut, seconds, maxRssMiB, maxEventLoopBlockMs, ok, error? }.
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createDecryptor } from '../src/decrypt/index.js';

export type Candidate = 'gpg-cli' | 'gpg-stream' | 'openpgp' | 'openpgp-unauth-stream';

export interface WorkerResult {
  candidate: Candidate;
  files: number;
  bytesOut: number;
  seconds: number;
  maxRssMiB: number;
  maxEventLoopBlockMs: number;
  maxEventLoopBlockCpuMs: number;
  ok: boolean;
  error?: string;
}

/**
 * Event-loop probe on a 10 ms interval. `wallMs`: the worst lateness (what a timer really saw).
 * `cpuMs`: the worst lateness this process could have caused itself, min(lateness, CPU time this
 * process used meanwhile): on a loaded 2-core machine a late timer is often just a descheduled
 * process, which is not the event loop being blocked by our code.
 */
function startLoopProbe(): () => { wallMs: number; cpuMs: number } {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  let last = performance.now();
  let lastCpu = cpuMs();
  let maxWall = 0;
  let maxCpu = 0;
  const t = setInterval(() => {
    const now = performance.now();
    const cpu = cpuMs();
    const late = now - last - 10;
    maxWall = Math.max(maxWall, late);
    maxCpu = Math.max(maxCpu, Math.min(late, cpu - lastCpu));
    last = now;
    lastCpu = cpu;
  }, 10);
  return () => {
    clearInterval(t);
    h.disable();
    return { wallMs: Math.max(h.max / 1e6 - 10, maxWall, 0), cpuMs: Math.max(maxCpu, 0) };
  };
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** A sink that discards bytes but counts them (the consumer is as fast as possible). */
function counter(): { sink: Writable; bytes: () => number } {
  let n = 0;
  return {
    sink: new Writable({
      highWaterMark: 1 << 20,
      write(chunk: Buffer, _e, cb) {
        n += chunk.length;
        cb();
      },
    }),
    bytes: () => n,
  };
}

async function gpgCli(file: string, passFile: string): Promise<number> {
  // The ceiling for the gpg route: gpg reading the file itself, writing to /dev/null; no Node piping.
  await new Promise<void>((resolve, reject) => {
    const home = process.env['BENCH_GPG_HOME'] ?? '';
    const child = spawn('gpg', ['--homedir', home, '--batch', '--quiet', '--pinentry-mode', 'loopback', '--passphrase-file', passFile,
      '--no-symkey-cache', '--yes', '--output', '/dev/null', '--decrypt', file], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`gpg exit ${code}`))));
  });
  return 0;
}

async function run(candidate: Candidate, files: string[], passFile: string): Promise<WorkerResult> {
  // Set-up (gpg version check, agent launch, module import) is outside the timed part: it is paid
  // once per run, not per archive.
  const decryptor = candidate === 'gpg-stream' ? await createDecryptor({ passphraseFile: passFile }) : undefined;
  const openpgp = candidate.startsWith('openpgp') ? await import('openpgp') : undefined;
  const password = (await readFile(passFile, 'utf8')).split('\n')[0] ?? '';
  const stopProbe = startLoopProbe();
  const t0 = performance.now();
  let bytesOut = 0;
  let ok = true;
  let error: string | undefined;
  try {
    for (const f of files) {
      if (candidate === 'gpg-cli') {
        await gpgCli(f, passFile);
      } else if (decryptor !== undefined) {
        const s = decryptor.decrypt(createReadStream(f, { highWaterMark: 256 * 1024 }));
        const c = counter();
        await Promise.all([pipeline(s.output, c.sink), s.done]);
        bytesOut += c.bytes();
      } else if (openpgp !== undefined) {
        const message = await openpgp.readMessage({
          binaryMessage: Readable.toWeb(createReadStream(f, { highWaterMark: 256 * 1024 })) as ReadableStream<Uint8Array>,
        });
        const { data } = await openpgp.decrypt({
          message,
          passwords: [password],
          format: 'binary',
          config: { allowUnauthenticatedStream: candidate === 'openpgp-unauth-stream' },
        });
        const c = counter();
        await pipeline(Readable.fromWeb(data as ReadableStream<Uint8Array>), c.sink);
        bytesOut += c.bytes();
      }
    }
  } catch (err) {
    ok = false;
    error = (err as Error).message;
  }
  const seconds = (performance.now() - t0) / 1000;
  const probe = stopProbe();
  await decryptor?.close();
  return {
    candidate,
    files: files.length,
    bytesOut,
    seconds,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    maxEventLoopBlockMs: probe.wallMs,
    maxEventLoopBlockCpuMs: probe.cpuMs,
    ok,
    ...(error === undefined ? {} : { error }),
  };
}

const [candidate, passFile, ...files] = process.argv.slice(2);
if (candidate === undefined || passFile === undefined || files.length === 0) {
  console.error('usage: decrypt-worker.ts CANDIDATE PASSPHRASE_FILE FILE...');
  process.exit(2);
}
const result = await run(candidate as Candidate, files, passFile);
process.stdout.write(`${JSON.stringify(result)}\n`);
