import { performance } from 'node:perf_hooks';
import { toUnit } from '../format/unit.js';
import { JsonRenderer } from '../render/json-renderer.js';
import { OffRenderer } from '../render/off-renderer.js';
import { PlainRenderer } from '../render/plain-renderer.js';
import type { Renderer } from '../render/renderer.js';
import { guardedSink, type TextSink } from '../render/text-sink.js';
import { TtyRenderer } from '../render/tty-renderer.js';
import { TraceRecorder } from '../trace/trace-recorder.js';
import { requireOption } from '../progress-error.js';
import { Reporter } from './reporter.js';
import { colorAllowed, selectMode } from './select-mode.js';
import type { ProcessLike, ProgressReporter, ReporterOptions, ResolvedMode, TimerApi } from './types.js';

const DEFAULT_PLAIN_INTERVAL_MS = 10_000;
const DEFAULT_JSON_INTERVAL_MS = 1_000;

const globalTimers: TimerApi = {
  setInterval: (callback, ms) => setInterval(callback, ms),
  clearInterval: (handle) => clearInterval(handle as ReturnType<typeof setInterval>),
};

/**
 * Creates a progress reporter and starts rendering immediately (a start line
 * in plain, a `start` event in json, the live line on a tty).
 *
 * The renderer is chosen by {@link selectMode}. With env
 * `GRIN_PROGRESS_TRACE=FILE` the reporter also appends its samples to FILE
 * (see trace-recording.ts); if FILE cannot be opened, the reporter logs one
 * line saying so and carries on.
 */
export function createReporter(options: ReporterOptions): ProgressReporter {
  validate(options);
  const env = options.env ?? process.env;
  const stream = options.stream ?? process.stderr;
  const clock = options.clock ?? (() => performance.now());
  const wallClock = options.wallClock ?? Date.now;
  const unit = toUnit(options.unit);
  const mode = selectMode(options.mode, env, stream);
  const initialCompleted = options.initialCompleted ?? 0;
  const total = options.total ?? null;

  let trace: TraceRecorder | null = null;
  let notice: string | undefined;
  const traceFile = env['GRIN_PROGRESS_TRACE'];
  if (traceFile !== undefined && traceFile !== '') {
    try {
      trace = new TraceRecorder({ file: traceFile, operation: options.operation, unit: unit.singular, initial: initialCompleted, total, startedAt: wallClock() });
    } catch (error) {
      notice = `progress trace disabled: cannot open ${traceFile} (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
    }
  }

  const sink = guardedSink(stream);
  return new Reporter({
    operation: options.operation,
    unit,
    total,
    initialCompleted,
    bytesTotal: options.bytesTotal ?? null,
    mode,
    renderer: makeRenderer(mode, options, sink, env, wallClock),
    sink,
    clock,
    timers: options.timers ?? globalTimers,
    trace,
    ...(options.minStallSeconds === undefined ? {} : { minStallSeconds: options.minStallSeconds }),
    ...(notice === undefined ? {} : { notice }),
  });
}

function makeRenderer(
  mode: ResolvedMode,
  options: ReporterOptions,
  stream: TextSink,
  env: Readonly<Record<string, string | undefined>>,
  wallClock: () => number,
): Renderer {
  switch (mode) {
    case 'tty':
      return new TtyRenderer({ stream, color: colorAllowed(env), process: options.process ?? (process as unknown as ProcessLike) });
    case 'plain':
      return new PlainRenderer(stream, options.intervalMs ?? DEFAULT_PLAIN_INTERVAL_MS);
    case 'json':
      return new JsonRenderer(stream, options.intervalMs ?? DEFAULT_JSON_INTERVAL_MS, wallClock);
    case 'off':
      return new OffRenderer(stream);
  }
}

function validate(options: ReporterOptions): void {
  const count = (v: number | null | undefined) => v === undefined || v === null || (Number.isFinite(v) && v >= 0);
  requireOption(typeof options.operation === 'string', 'operation must be a string', 'Name what is being done, e.g. "Syncing".');
  requireOption(count(options.total), `total must be a number >= 0 or null, got ${options.total}`, 'Pass null when the total is unknown.');
  requireOption(count(options.bytesTotal), `bytesTotal must be a number >= 0 or null, got ${options.bytesTotal}`, 'Pass null when the size is unknown.');
  requireOption(count(options.initialCompleted), `initialCompleted must be a number >= 0, got ${options.initialCompleted}`, 'Pass the count already done before this session, or 0.');
  requireOption(options.intervalMs === undefined || options.intervalMs > 0, `intervalMs must be > 0, got ${options.intervalMs}`, 'Use e.g. 10000 for a line every 10 s.');
  requireOption(count(options.minStallSeconds), `minStallSeconds must be >= 0, got ${options.minStallSeconds}`, 'The default is 10 s.');
}
