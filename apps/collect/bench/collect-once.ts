// One run of the real collect command inside the benchmark process, with RSS and CPU sampled
// while the listing is walked (the reporter's start and summary lines mark the walk).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parseCollectArgs, runCollect, type ClientOverrides } from '../src/index.js';
import type { SimInfo } from './collect-bench.js';

export type ClientMode = 'thread' | 'main' | 'worker';

export interface CollectRun {
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
  const stderr = new Writable({
    write(chunk: Buffer, _e, cb) {
      const text = chunk.toString();
      if (text.includes('Collecting _all_books: started')) {
        phase = 'walk';
        cpuStart = process.cpuUsage();
      }
      if (/Completed Collecting/.test(text) && cpuStart) {
        phase = 'records';
        const used = process.cpuUsage(cpuStart);
        walkCpuMs = (used.user + used.system) / 1000;
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
    wallS,
    walkS: progress.session.runtime_seconds,
    walkCpuMs,
    rows: progress.counts.this_session.rows_seen,
    walkPeakRssMb: walkPeak,
    peakRssMb: peak,
  };
}
