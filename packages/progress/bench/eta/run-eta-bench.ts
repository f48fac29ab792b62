/**
 * ETA benchmark: replays progress traces through several rate estimators and
 * prints the mean relative ETA error per trace and estimator.
 *
 *   pnpm --filter @grin/progress bench:eta [--seeds 5] [--first-seed 1]
 *        [--traces FILE] [--only NAME] [--check]
 *
 * --check sets exit code 1 unless the goal holds (ours <= 0.5 x the seed's
 * geomean and not worse than the seed on any trace).
 * FILE is a JSON array of traces (see trace.ts) or a GRIN_PROGRESS_TRACE
 * recording, which is converted on the fly.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { convertTraceRecording, looksLikeTraceRecording } from '../../src/trace/trace-recording.js';
import { ESTIMATORS } from './estimators.js';
import { evaluate } from './evaluate.js';
import { printTable } from './print-table.js';
import { syntheticTraces } from './synthetic-traces.js';
import { parseBenchTraces, type BenchTrace } from './trace.js';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '5' },
    'first-seed': { type: 'string', default: '1' },
    traces: { type: 'string' },
    only: { type: 'string' },
    check: { type: 'boolean', default: false },
  },
});

const seeds = Number(values.seeds);
const firstSeed = Number(values['first-seed']);
if (!Number.isInteger(seeds) || seeds < 1 || !Number.isInteger(firstSeed)) {
  console.error('--seeds and --first-seed must be integers (seeds >= 1)');
  process.exit(2);
}

/** Trace name -> one trace per seed (a file's traces count as one seed each). */
const groups = new Map<string, BenchTrace[]>();
function add(trace: BenchTrace): void {
  if (values.only !== undefined && !trace.name.includes(values.only)) return;
  const list = groups.get(trace.name) ?? [];
  list.push(trace);
  groups.set(trace.name, list);
}

if (values.traces !== undefined) {
  const text = readFileSync(values.traces, 'utf8');
  const traces = looksLikeTraceRecording(text) ? convertTraceRecording(text) : parseBenchTraces(JSON.parse(text));
  for (const trace of traces) add(trace);
  console.log(`Traces from ${values.traces}: ${traces.length}`);
} else {
  for (let seed = firstSeed; seed < firstSeed + seeds; seed++) for (const trace of syntheticTraces(seed)) add(trace);
  console.log(`Synthetic traces, seeds ${firstSeed}..${firstSeed + seeds - 1}`);
}

const names = ESTIMATORS.map((e) => e.name);
const rows: { trace: string; errors: number[] }[] = [];
for (const [name, traces] of groups) {
  const errors = ESTIMATORS.map((factory) => {
    const perSeed = traces.map((trace) => evaluate(factory, trace));
    return perSeed.reduce((a, b) => a + b, 0) / perSeed.length;
  });
  rows.push({ trace: `${name} (x${traces.length})`, errors });
}
const ok = printTable(names, rows, 'seed-window', 'ours');
if (values.check && !ok) process.exitCode = 1;
