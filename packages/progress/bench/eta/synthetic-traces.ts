import { Random } from './random.js';
import type { BenchTrace } from './trace.js';

type Event = [number, number];

/** Pages of `pageSize` items with lognormal latency; `slowdown(i)` multiplies page i's latency. */
function pages(rng: Random, options: {
  total: number; initial?: number; pageSize: number; median: number; sigma: number;
  idle?: number; slowdown?: (page: number) => number;
}): Event[] {
  const events: Event[] = [];
  let t = options.idle ?? 0;
  let done = options.initial ?? 0;
  for (let page = 0; done < options.total; page++) {
    // Occasional slow page (a retry, a big response), as real listings have.
    const hiccup = rng.next() < 0.03 ? rng.uniform(3, 6) : 1;
    t += rng.lognormal(options.median, options.sigma) * hiccup * (options.slowdown?.(page) ?? 1);
    done = Math.min(options.total, done + options.pageSize);
    events.push([t, done]);
  }
  return events;
}

/** Single items arriving as a Poisson process whose rate depends on progress. */
function poissonItems(rng: Random, total: number, rateAt: (done: number) => number, pauseAfter?: (t: number) => number): Event[] {
  const events: Event[] = [];
  let t = 0;
  for (let done = 1; done <= total; done++) {
    t += rng.exponential(1 / rateAt(done - 1));
    if (pauseAfter) t += pauseAfter(t);
    events.push([t, done]);
  }
  return events;
}

/** 8 workers taking items in the given order; time = overhead + size / bandwidth (noisy). */
function workerPool(rng: Random, sizes: number[], workers: number): Event[] {
  const free = new Array<number>(workers).fill(0);
  const finish: number[] = [];
  for (const size of sizes) {
    let w = 0;
    for (let i = 1; i < workers; i++) if ((free[i] ?? 0) < (free[w] ?? 0)) w = i;
    const end = (free[w] ?? 0) + 1.5 + (size / 12) * rng.lognormal(1, 0.2);
    free[w] = end;
    finish.push(end);
  }
  finish.sort((a, b) => a - b);
  return finish.map((t, i): Event => [t, i + 1]);
}

function lognormalSizes(rng: Random, count: number): number[] {
  return Array.from({ length: count }, () => rng.lognormal(40, 1));
}

/** The benchmark's synthetic traces for one seed. */
export function syntheticTraces(seed: number): BenchTrace[] {
  const r = (k: number) => new Random(seed * 1000 + k);
  const traces: BenchTrace[] = [];

  traces.push({ name: 'steady-pages', total: 40_000, initial: 0,
    events: pages(r(1), { total: 40_000, pageSize: 100, median: 2, sigma: 0.4 }) });

  traces.push({ name: 'startup-overhead', total: 30_000, initial: 0,
    events: pages(r(2), { total: 30_000, pageSize: 100, median: 2, sigma: 0.4, idle: 90,
      slowdown: (page) => 1 + 4 * Math.exp(-page / 8) }) });

  traces.push({ name: 'step-down-40%', total: 20_000, initial: 0,
    events: poissonItems(r(3), 20_000, (done) => (done < 8_000 ? 20 : 8)) });

  traces.push({ name: 'step-up-40%', total: 20_000, initial: 0,
    events: poissonItems(r(4), 20_000, (done) => (done < 8_000 ? 8 : 20)) });

  {
    // 30 s without progress after every 240 s of work.
    let nextStall = 240;
    traces.push({ name: 'periodic-stalls', total: 20_000, initial: 0,
      events: poissonItems(r(5), 20_000, () => 10, (t) => {
        if (t < nextStall) return 0;
        nextStall = t + 30 + 240;
        return 30;
      }) });
  }

  {
    // Work proceeds steadily but is reported in batches at irregular flushes;
    // the last batch is reported when the work ends (finish() records it).
    const rng = r(6);
    const work = poissonItems(rng, 20_000, () => 12);
    const events: Event[] = [];
    let flush = rng.uniform(5, 45);
    for (let i = 0; i < work.length; i++) {
      const [t] = work[i] ?? [0, 0];
      if (t > flush) {
        events.push([flush, i]);
        while (flush < t) flush += rng.uniform(5, 45);
      }
    }
    events.push([work[work.length - 1]?.[0] ?? flush, 20_000]);
    traces.push({ name: 'bursty-batches', total: 20_000, initial: 0, events: events.filter(([, c]) => c > 0) });
  }

  traces.push({ name: 'resume-at-30%', total: 40_000, initial: 12_000,
    events: pages(r(7), { total: 40_000, initial: 12_000, pageSize: 100, median: 2, sigma: 0.4, idle: 10 }) });

  {
    const rng = r(8);
    traces.push({ name: 'pipeline-8-lognormal', total: 1_500, initial: 0, events: workerPool(rng, lognormalSizes(rng, 1_500), 8) });
  }
  {
    const rng = r(9);
    const sizes = lognormalSizes(rng, 1_500).sort((a, b) => a - b);
    traces.push({ name: 'pipeline-8-largest-last', total: 1_500, initial: 0, events: workerPool(rng, sizes, 8) });
  }
  return traces;
}
