// One run of the real collect command inside the benchmark process, with RSS and CPU sampled
// while the listing is walked (the reporter's start and summary lines mark the walk).
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parseCollectArgs, runCollect, type ClientOverrides } from '../src/index.js';
import type { SimInfo } from './collect-bench.js';

export type ClientMode = 'thread' | 'main' | 'worker';

/** CPU time of this process's threads during the walk (Linux /proc; empty elsewhere). */
export interface ThreadCpu {
  /** The main thread: unpacking and storing pages (SQLite), progress. */
  mainMs: number;
  /** The listing thread: HTTP, parsing, packing (the busiest thread besides the main one). */
  listingMs: number;
  /** Everything else: V8's GC and compiler helpers, libuv. */
  otherMs: number;
}

export interface CollectRun {
  threads: ThreadCpu | null;
  wallS: number;
  /** The walk's runtime as recorded by the tracker (session runtime). */
  walkS: number;
  /** CPU time of this process (all threads) during the walk. */
  walkCpuMs: number;
  rows: number;
  walkPeakRssMb: number;
  peakRssMb: number;
}

const sink = (): Writable => new Writable({ write: (_c, _e, cb) => cb() });

export async function collectOnce(sim: SimInfo, outputDir: string, pageSize: number, mode: ClientMode): Promise<CollectRun> {
  const client: ClientOverrides = mode === 'thread' ? {} : { thread: false, parseIn: mode === 'worker' ? 'worker' : 'main' };
  const options = parseCollectArgs(
    ['--library-directory', sim.libraryDirectory, '--grin-url', sim.grinBaseUrl, '--credentials-dir', sim.credentialsDir,
      '--output-dir', outputDir, '--run-name', 'bench', '--page-size', String(pageSize), '--progress', 'plain'],
    { INIT_CWD: outputDir },
  );
  let phase: 'setup' | 'walk' | 'records' = 'setup';
  let cpuStart: NodeJS.CpuUsage | null = null;
  let walkCpuMs = 0;
  let threadsAtStart: Map<number, number> | null = null;
  let threads: ThreadCpu | null = null;
  const stderr = new Writable({
    write(chunk: Buffer, _e, cb) {
      const text = chunk.toString();
      if (text.includes('Collecting _all_books: started')) {
        phase = 'walk';
        cpuStart = process.cpuUsage();
        threadsAtStart = threadTicks();
      }
      if (/Completed Collecting/.test(text) && cpuStart) {
        phase = 'records';
        const used = process.cpuUsage(cpuStart);
        walkCpuMs = (used.user + used.system) / 1000;
        threads = threadsAtStart && threadSplit(threadsAtStart, threadTicks());
      }
      cb();
    },
  });
  let walkPeak = 0;
  let peak = 0;
  const sample = (): void => {
    const rss = process.memoryUsage.rss() / 1024 / 1024;
    peak = Math.max(peak, rss);
    if (phase === 'walk') walkPeak = Math.max(walkPeak, rss);
  };
  const sampler = setInterval(sample, 50);
  const started = performance.now();
  const code = await runCollect(options, {
    stdout: sink(),
    stderr,
    env: { ...process.env, GRIN_PROGRESS: 'plain' },
    client,
    progressIntervalMs: 3_600_000,
  });
  const wallS = (performance.now() - started) / 1000;
  clearInterval(sampler);
  sample();
  if (code !== 0) throw new Error(`collect exited ${code}`);
  const progress = JSON.parse(await readFile(join(outputDir, 'bench', 'progress.json'), 'utf8')) as {
    session: { runtime_seconds: number };
    counts: { this_session: { rows_seen: number } };
  };
  return {
    threads,
    wallS,
    walkS: progress.session.runtime_seconds,
    walkCpuMs,
    rows: progress.counts.this_session.rows_seen,
    walkPeakRssMb: walkPeak,
    peakRssMb: peak,
  };
}

/** CPU ms per thread id of this process, from /proc (null where there is none). */
function threadTicks(): Map<number, number> | null {
  try {
    const ticks = new Map<number, number>();
    for (const tid of readdirSync('/proc/self/task')) {
      let stat: string;
      try {
        stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      } catch {
        continue; // the thread ended meanwhile
      }
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks.set(Number(tid), ((Number(fields[11]) + Number(fields[12])) * 1000) / 100); // utime + stime, USER_HZ = 100
    }
    return ticks;
  } catch {
    return null;
  }
}

function threadSplit(before: Map<number, number>, after: Map<number, number> | null): ThreadCpu | null {
  if (after === null) return null;
  let mainMs = 0;
  let listingMs = 0;
  let otherMs = 0;
  for (const [tid, ms] of after) {
    const delta = ms - (before.get(tid) ?? 0);
    if (tid === process.pid) mainMs = delta;
    else if (delta > listingMs) {
      otherMs += listingMs;
      listingMs = delta;
    } else otherMs += delta;
  }
  return { mainMs, listingMs, otherMs };
}
