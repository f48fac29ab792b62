import { computeEta, etaSeconds, type Eta } from '../eta/eta.js';
import type { Unit } from '../format/unit.js';
import { AdaptiveRateEstimator } from '../rate/adaptive-rate-estimator.js';
import type { Renderer } from '../render/renderer.js';
import type { TextSink } from '../render/text-sink.js';
import type { TraceRecorder } from '../trace/trace-recorder.js';
import type {
  FinishOptions, ProgressReporter, ProgressSnapshot, ProgressSummary, QueueState, ResolvedMode, TimerApi,
} from './types.js';

/** Everything the reporter needs, already resolved by createReporter. */
export interface ReporterParts {
  readonly operation: string;
  readonly unit: Unit;
  readonly total: number | null;
  readonly initialCompleted: number;
  readonly bytesTotal: number | null;
  readonly mode: ResolvedMode;
  readonly renderer: Renderer;
  /** The renderer's output, released after finish. */
  readonly sink: TextSink;
  readonly clock: () => number;
  readonly timers: TimerApi;
  readonly trace: TraceRecorder | null;
  /** See ReporterOptions.minStallSeconds. */
  readonly minStallSeconds?: number;
  /** A line to log right after start (e.g. why tracing is off). */
  readonly notice?: string;
}

/**
 * The reporter. Counters are plain number fields so tick()/addBytes() are a
 * single add; everything else (clock, estimators, rendering, tracing)
 * happens on the timer or on demand.
 */
export class Reporter implements ProgressReporter {
  readonly mode: ResolvedMode;
  private completed: number;
  private bytes = 0;
  private total: number | null;
  private bytesTotal: number | null;
  private readonly initial: number;
  private readonly operation: string;
  private readonly unit: Unit;
  private readonly renderer: Renderer;
  private readonly sink: TextSink;
  private readonly clock: () => number;
  private readonly timers: TimerApi;
  private readonly trace: TraceRecorder | null;
  private readonly startMs: number;
  private readonly items: AdaptiveRateEstimator;
  private readonly byteRates: AdaptiveRateEstimator;
  private readonly extras = new Map<string, string | number>();
  /** A copy of the latest setQueue() values (the caller may reuse its object); null until then. */
  private queueState: QueueState | null = null;
  private timer: unknown;
  private summary: ProgressSummary | null = null;
  private finalSnapshot: ProgressSnapshot | null = null;

  constructor(parts: ReporterParts) {
    this.mode = parts.mode;
    this.operation = parts.operation;
    this.unit = parts.unit;
    this.total = parts.total;
    this.bytesTotal = parts.bytesTotal;
    this.initial = parts.initialCompleted;
    this.completed = parts.initialCompleted;
    this.renderer = parts.renderer;
    this.sink = parts.sink;
    this.clock = parts.clock;
    this.timers = parts.timers;
    this.trace = parts.trace;
    this.startMs = parts.clock();
    const stall = parts.minStallSeconds === undefined ? {} : { minStallSeconds: parts.minStallSeconds };
    this.items = new AdaptiveRateEstimator({ startTime: 0, initialCompleted: this.initial, ...stall });
    this.byteRates = new AdaptiveRateEstimator({ startTime: 0, ...stall });
    this.renderer.start(this.build(this.startMs), this.startMs);
    if (parts.notice !== undefined) this.renderer.log(parts.notice, this.startMs);
    this.timer = this.timers.setInterval(() => this.onTimer(), this.renderer.tickMs);
    // Never keep the process alive just to draw progress.
    (this.timer as { unref?: () => void } | null)?.unref?.();
  }

  tick(n = 1): void {
    this.completed += n;
  }

  set(completed: number): void {
    this.completed = completed;
  }

  setTotal(total: number | null): void {
    this.total = total;
  }

  setBytes(done: number, total?: number | null): void {
    this.bytes = done;
    if (total !== undefined) this.bytesTotal = total;
  }

  addBytes(n: number): void {
    this.bytes += n;
  }

  setExtra(key: string, value: string | number | null): void {
    if (value === null) this.extras.delete(key);
    else this.extras.set(key, value);
  }

  setQueue(queue: QueueState): void {
    this.queueState = {
      downloadsActive: queue.downloadsActive,
      downloadLimit: queue.downloadLimit,
      processing: queue.processing,
      waitingToDownload: queue.waitingToDownload,
      waitingToProcess: queue.waitingToProcess,
    };
  }

  log(line: string): void {
    this.renderer.log(line, this.clock());
  }

  snapshot(): ProgressSnapshot {
    if (this.finalSnapshot) return this.finalSnapshot;
    const now = this.clock();
    this.sample(now);
    return this.build(now);
  }

  finish(options: FinishOptions = {}): ProgressSummary {
    if (this.summary) return this.summary;
    this.timers.clearInterval(this.timer);
    const now = this.clock();
    this.sample(now);
    const snapshot = this.build(now);
    const elapsed = snapshot.elapsedSeconds;
    const session = this.completed - this.initial;
    const summary: ProgressSummary = {
      operation: this.operation,
      unit: this.unit,
      status: options.status ?? 'completed',
      message: options.message ?? null,
      completed: this.completed,
      initialCompleted: this.initial,
      sessionCompleted: session,
      total: this.total,
      bytes: this.bytes,
      bytesTotal: this.bytesTotal,
      elapsedSeconds: elapsed,
      averageRate: elapsed > 0 ? session / elapsed : null,
      averageByteRate: elapsed > 0 && this.bytes > 0 ? this.bytes / elapsed : null,
    };
    this.summary = summary;
    this.finalSnapshot = snapshot;
    this.trace?.close(elapsed, this.completed, this.total, summary.status);
    this.renderer.finish(summary, snapshot, now);
    // A write error can surface a moment after the write; keep absorbing it until then.
    setImmediate(() => this.sink.close());
    return summary;
  }

  private onTimer(): void {
    const now = this.clock();
    this.sample(now);
    this.trace?.record((now - this.startMs) / 1000, this.completed, this.total);
    this.renderer.update(this.build(now), now);
  }

  private sample(now: number): void {
    const t = (now - this.startMs) / 1000;
    this.items.sample(t, this.completed);
    this.byteRates.sample(t, this.bytes);
  }

  private build(now: number): ProgressSnapshot {
    const t = (now - this.startMs) / 1000;
    const total = this.total;
    const rate = this.items.rate(t);
    const byteRate = this.byteRates.rate(t);
    const bytesTracked = this.bytes > 0 || this.bytesTotal !== null;
    const itemStall = this.items.stalledSeconds(t);
    const byteStall = this.byteRates.stalledSeconds(t);
    // Bytes still flowing (a long download) means the job is not stalled.
    const stalled = itemStall === null ? null : !bytesTracked ? itemStall : byteStall === null ? null : Math.min(itemStall, byteStall);
    let eta: Eta;
    let basis: 'items' | 'bytes' | null = null;
    const bytesRemaining = this.bytesTotal === null ? null : this.bytesTotal - this.bytes;
    const bytesEta = bytesRemaining === null ? null : this.byteRates.eta(t, bytesRemaining);
    if (bytesRemaining !== null && bytesEta !== null && !(total !== null && this.completed >= total)) {
      eta = computeEta({ remaining: bytesRemaining, rate: byteRate, seconds: bytesEta, stalledSeconds: stalled });
      basis = 'bytes';
    } else {
      const remaining = total === null ? null : total - this.completed;
      eta = computeEta({ remaining, rate, seconds: remaining === null ? null : this.items.eta(t, remaining), stalledSeconds: stalled });
      if (eta.state !== 'unknown') basis = 'items';
    }
    const extra: Record<string, string | number> = {};
    for (const [key, value] of this.extras) extra[key] = value;
    return {
      operation: this.operation,
      unit: this.unit,
      completed: this.completed,
      initialCompleted: this.initial,
      sessionCompleted: this.completed - this.initial,
      total,
      percent: total !== null && total > 0 ? Math.min(100, (this.completed / total) * 100) : null,
      rate,
      eta,
      etaSeconds: etaSeconds(eta),
      etaBasis: basis,
      elapsedSeconds: t,
      stalledSeconds: stalled,
      bytes: this.bytes,
      bytesTotal: this.bytesTotal,
      byteRate,
      extra,
      queue: this.queueState,
    };
  }
}
