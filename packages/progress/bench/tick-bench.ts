/**
 * Hot-path benchmark: ns per reporter.tick() / addBytes() next to an empty
 * loop measured in the same run, plus heap growth to show no allocation.
 *
 *   pnpm --filter @grin/progress bench      (node --expose-gc --import tsx)
 *
 * Goal: <= 50 ns per tick. Exits 1 when the goal is missed.
 */
import { createReporter, type ProgressReporter } from '../src/index.js';

const N = 50_000_000;
const RUNS = 7;
const GOAL_NS = 50;

function emptyLoop(n: number): number {
  let x = 0;
  for (let i = 0; i < n; i++) x += i & 1;
  return x;
}

function tickLoop(reporter: ProgressReporter, n: number): void {
  for (let i = 0; i < n; i++) reporter.tick();
}

function addBytesLoop(reporter: ProgressReporter, n: number): void {
  for (let i = 0; i < n; i++) reporter.addBytes(4096);
}

function nsPerOp(run: () => void, n: number): number {
  const times: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const start = process.hrtime.bigint();
    run();
    times.push(Number(process.hrtime.bigint() - start) / n);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(RUNS / 2)] ?? Number.NaN;
}

// A real reporter (mode off, real timers: the loop never yields, so its timer cannot fire mid-run).
const reporter = createReporter({ operation: 'bench', mode: 'off', env: {} });
let sink = 0;

// Warm up so all three loops are optimised before timing.
for (let i = 0; i < 5; i++) {
  sink += emptyLoop(1_000_000);
  tickLoop(reporter, 1_000_000);
  addBytesLoop(reporter, 1_000_000);
}

const empty = nsPerOp(() => {
  sink += emptyLoop(N);
}, N);
const tick = nsPerOp(() => tickLoop(reporter, N), N);
const addBytes = nsPerOp(() => addBytesLoop(reporter, N), N);

const gc = (globalThis as { gc?: () => void }).gc;
let heapNote = 'heap growth: run with --expose-gc to measure';
if (gc) {
  gc();
  const before = process.memoryUsage().heapUsed;
  tickLoop(reporter, 10_000_000);
  addBytesLoop(reporter, 10_000_000);
  const growth = process.memoryUsage().heapUsed - before;
  heapNote = `heap growth over 10M tick() + 10M addBytes() without GC: ${growth} bytes (${(growth / 20_000_000).toFixed(4)} bytes/call)`;
}

const expected = 5_000_000 + RUNS * N + 10_000_000 * (gc ? 1 : 0);
const completed = reporter.snapshot().completed;
reporter.finish();
if (completed !== expected) throw new Error(`tick count mismatch: ${completed} != ${expected}`);

const row = (name: string, ns: number) =>
  `${name.padEnd(12)} ${ns.toFixed(2).padStart(7)} ns/op   x${(ns / empty).toFixed(2).padStart(6)} empty loop   ${(ns / GOAL_NS).toFixed(3)} of the ${GOAL_NS} ns goal`;
console.log(`node ${process.version}, ${N.toLocaleString('en-US')} calls x ${RUNS} runs (median)`);
console.log(row('empty loop', empty));
console.log(row('tick()', tick));
console.log(row('addBytes()', addBytes));
console.log(heapNote);
console.log(`goal <= ${GOAL_NS} ns per tick: ${tick <= GOAL_NS ? 'met' : 'NOT met'} (sink ${sink % 2})`);
process.exitCode = tick <= GOAL_NS ? 0 : 1;
