// CPU cost of the local storage sink per GB, with and without the SHA-256 of the stored bytes.
//
//   pnpm --filter @grin/sync bench:storage-sha256 [-- --total-mib 512 --archive-mib 32 --chunk-kib 16 --rounds 3]
//
// Archives of random bytes are written through LocalStorage.beginRaw → commit (temp file, writev,
// fsync, rename, sidecar) in --chunk-kib chunks (gpg hands out its plaintext in ~15 KiB pieces).
// Variants, interleaved round by round so machine load hits all alike:
// - none:   `computeSha256: false` (the default);
// - main:   `computeSha256: true`, hashed on the main thread (the behaviour before the option);
// - worker: no hash in the sink, but every chunk is also copied into 1 MiB batches that a worker
//           thread hashes: the off-main-thread alternative, measured to choose between the two.
// Figures: process CPU (user + system, all threads) and main-thread CPU (/proc/self/task/PID/stat,
// Linux only), both in CPU seconds per GB (10^9 bytes) stored.
import { randomFillSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { LocalStorage } from '../src/storage/index.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    'total-mib': { type: 'string', default: '512' },
    'archive-mib': { type: 'string', default: '32' },
    'chunk-kib': { type: 'string', default: '16' },
    rounds: { type: 'string', default: '3' },
  },
});
const MiB = 1024 * 1024;
const totalBytes = Number(values['total-mib']) * MiB;
const archiveBytes = Number(values['archive-mib']) * MiB;
const chunkBytes = Number(values['chunk-kib']) * 1024;
const rounds = Number(values.rounds);
const source = randomFillSync(Buffer.alloc(4 * MiB));

/** `tap` sees every chunk, as a hashing sink's _write would (no extra stream hop). */
function producer(bytes: number, tap?: (chunk: Buffer) => void): Readable {
  let off = 0;
  return new Readable({
    highWaterMark: MiB,
    read() {
      if (off >= bytes) return void this.push(null);
      const n = Math.min(chunkBytes, bytes - off);
      const at = off % (source.length - chunkBytes);
      off += n;
      // A fresh Buffer per chunk, as gpg's pipe delivers them.
      const chunk = Buffer.from(source.subarray(at, at + n));
      tap?.(chunk);
      this.push(chunk);
    },
  });
}

/** Hashes in a worker thread; the main thread only copies chunks into 1 MiB batches. */
class WorkerHasher {
  private readonly worker = new Worker(
    `const { parentPort } = require('node:worker_threads');
     const { createHash } = require('node:crypto');
     let h = createHash('sha256');
     parentPort.on('message', (m) => {
       if (m === 'end') { parentPort.postMessage(h.digest('hex')); h = createHash('sha256'); }
       else h.update(new Uint8Array(m.ab, 0, m.used));
     });`,
    { eval: true },
  );
  private batch = Buffer.allocUnsafe(MiB);
  private used = 0;

  update(chunk: Buffer): void {
    let off = 0;
    while (off < chunk.length) {
      const n = chunk.copy(this.batch, this.used, off);
      this.used += n;
      off += n;
      if (this.used === this.batch.length) this.post();
    }
  }

  async digest(): Promise<string> {
    this.post();
    const done = new Promise<string>((resolve) => this.worker.once('message', resolve));
    this.worker.postMessage('end');
    return done;
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }

  private post(): void {
    if (this.used === 0) return;
    // allocUnsafe(1 MiB) is not pooled: the batch owns its whole ArrayBuffer, which is moved, not copied.
    const ab = this.batch.buffer as ArrayBuffer;
    this.worker.postMessage({ ab, used: this.used }, [ab]);
    this.batch = Buffer.allocUnsafe(MiB);
    this.used = 0;
  }
}

/** CPU seconds (user + system) of the main thread so far; 10 ms resolution (clock ticks). */
function mainThreadCpuS(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After "pid (comm) ": state is field 0, utime field 11, stime field 12.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

type Variant = 'none' | 'main' | 'worker';
interface Totals {
  cpuS: number;
  mainS: number;
  wallS: number;
  bytes: number;
}

async function runVariant(variant: Variant, dir: string, hasher: WorkerHasher): Promise<Totals> {
  const storage = new LocalStorage({ basePath: join(dir, variant), computeSha256: variant === 'main' });
  const cpu0 = process.cpuUsage();
  const main0 = mainThreadCpuS();
  const t0 = performance.now();
  let bytes = 0;
  for (let i = 0; bytes < totalBytes; i++) {
    const size = Math.min(archiveBytes, totalBytes - bytes);
    const pending = await storage.beginRaw(`B${i}`, { encryptedEtag: 'e', acquisitionDate: '2025-01-01T00:00:00', originalFilename: `B${i}.tar.gz.gpg` });
    await pipeline(producer(size, variant === 'worker' ? (c) => hasher.update(c) : undefined), pending.stream);
    const stored = await pending.commit();
    if (variant === 'worker') await hasher.digest();
    if (variant === 'main' && stored.sha256 === undefined) throw new Error('expected a digest');
    bytes += stored.size;
  }
  const wallS = (performance.now() - t0) / 1000;
  const mainS = mainThreadCpuS() - main0;
  const cpu = process.cpuUsage(cpu0);
  await rm(join(dir, variant), { recursive: true, force: true });
  return { cpuS: (cpu.user + cpu.system) / 1e6, mainS, wallS, bytes };
}

const dir = await mkdtemp(join(tmpdir(), 'grin-bench-sha-'));
const hasher = new WorkerHasher();
const sums: Record<Variant, Totals> = {
  none: { cpuS: 0, mainS: 0, wallS: 0, bytes: 0 },
  main: { cpuS: 0, mainS: 0, wallS: 0, bytes: 0 },
  worker: { cpuS: 0, mainS: 0, wallS: 0, bytes: 0 },
};
try {
  const load0 = loadavg()[0] ?? 0;
  for (let r = 0; r < rounds; r++) {
    const order: Variant[] = r % 2 === 0 ? ['none', 'main', 'worker'] : ['worker', 'main', 'none'];
    for (const v of order) {
      const t = await runVariant(v, dir, hasher);
      for (const k of ['cpuS', 'mainS', 'wallS', 'bytes'] as const) sums[v][k] += t[k];
    }
  }
  const gb = (v: Variant): number => sums[v].bytes / 1e9;
  console.log(
    `node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), load average ${load0.toFixed(1)} → ${(loadavg()[0] ?? 0).toFixed(1)}; ` +
      `${rounds} rounds × ${Math.round(totalBytes / MiB)} MiB per variant, ${Math.round(archiveBytes / MiB)} MiB archives, ${chunkBytes / 1024} KiB chunks`,
  );
  console.log('| variant | process CPU s/GB | main-thread CPU s/GB | MB/s |');
  console.log('|---|---:|---:|---:|');
  for (const v of ['none', 'main', 'worker'] as const) {
    const s = sums[v];
    console.log(`| ${v} | ${(s.cpuS / gb(v)).toFixed(2)} | ${(s.mainS / gb(v)).toFixed(2)} | ${(s.bytes / 1e6 / s.wallS).toFixed(0)} |`);
  }
  const cpu = (v: Variant): number => sums[v].cpuS / gb(v);
  const main = (v: Variant): number => sums[v].mainS / gb(v);
  console.log(`SHA-256 on the main thread costs ${(cpu('main') - cpu('none')).toFixed(2)} CPU-s/GB (main-thread ${(main('main') - main('none')).toFixed(2)} s/GB); ` +
    `in a worker ${(cpu('worker') - cpu('none')).toFixed(2)} CPU-s/GB of which main-thread ${(main('worker') - main('none')).toFixed(2)} s/GB. ` +
    `Sink without hash / with main-thread hash (CPU): ${(cpu('none') / cpu('main')).toFixed(2)}`);
} finally {
  await hasher.close();
  await rm(dir, { recursive: true, force: true });
}
