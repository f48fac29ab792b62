import type { ProgressSnapshot, ProgressSummary, QueueState } from '../reporter/types.js';
import { IntervalSchedule, SAMPLE_MS } from './interval-schedule.js';
import type { Renderer } from './renderer.js';
import type { TextSink } from './text-sink.js';

/** Version tag carried by the `start` event. */
export const JSON_SCHEMA = 'grin-progress/1';

/**
 * Newline-delimited JSON events (`start`, `progress`, `log`, `finish`); the
 * schema is documented in the package README. One `progress` event per
 * interval; JSON escaping keeps control characters out of the output.
 */
export class JsonRenderer implements Renderer {
  readonly tickMs: number;
  private readonly schedule: IntervalSchedule;
  private startMs = Number.NaN;

  constructor(
    private readonly stream: TextSink,
    intervalMs: number,
    private readonly wallClock: () => number,
  ) {
    this.schedule = new IntervalSchedule(intervalMs);
    this.tickMs = Math.min(SAMPLE_MS, intervalMs);
  }

  start(snapshot: ProgressSnapshot, nowMs: number): void {
    this.startMs = nowMs;
    this.schedule.start(nowMs, this.tickMs);
    this.emit({
      event: 'start',
      schema: JSON_SCHEMA,
      time: this.time(),
      operation: snapshot.operation,
      unit: snapshot.unit.singular,
      unit_plural: snapshot.unit.plural,
      total: snapshot.total,
      initial: snapshot.initialCompleted,
      bytes_total: snapshot.bytesTotal,
    });
  }

  update(snapshot: ProgressSnapshot, nowMs: number): void {
    if (!this.schedule.due(nowMs)) return;
    this.emit(progressEvent(snapshot, this.time()));
  }

  log(line: string, nowMs: number): void {
    this.emit({ event: 'log', time: this.time(), elapsed_seconds: seconds((nowMs - this.startMs) / 1000), message: line });
  }

  finish(summary: ProgressSummary): void {
    this.emit({
      event: 'finish',
      time: this.time(),
      status: summary.status,
      message: summary.message,
      operation: summary.operation,
      completed: summary.completed,
      initial: summary.initialCompleted,
      session_completed: summary.sessionCompleted,
      total: summary.total,
      bytes: summary.bytes,
      bytes_total: summary.bytesTotal,
      elapsed_seconds: seconds(summary.elapsedSeconds),
      average_rate: rate(summary.averageRate),
      average_byte_rate: rate(summary.averageByteRate),
    });
  }

  private time(): string {
    return new Date(this.wallClock()).toISOString();
  }

  private emit(event: Record<string, unknown>): void {
    this.stream.write(`${JSON.stringify(event)}\n`);
  }
}

/** The `progress` event for a snapshot. */
export function progressEvent(snapshot: ProgressSnapshot, time: string): Record<string, unknown> {
  return {
    event: 'progress',
    time,
    elapsed_seconds: seconds(snapshot.elapsedSeconds),
    completed: snapshot.completed,
    initial: snapshot.initialCompleted,
    total: snapshot.total,
    percent: snapshot.percent === null ? null : Math.round(snapshot.percent * 100) / 100,
    rate: rate(snapshot.rate),
    eta_seconds: snapshot.etaSeconds === null ? null : seconds(snapshot.etaSeconds),
    eta_state: snapshot.eta.state,
    eta_basis: snapshot.etaBasis,
    stalled_seconds: snapshot.stalledSeconds === null ? null : seconds(snapshot.stalledSeconds),
    bytes: snapshot.bytes,
    bytes_total: snapshot.bytesTotal,
    byte_rate: rate(snapshot.byteRate),
    extra: snapshot.extra,
    queue: snapshot.queue === null ? null : queueObject(snapshot.queue),
  };
}

function queueObject(q: QueueState): Record<string, number> {
  return {
    downloads_active: q.downloadsActive,
    download_limit: q.downloadLimit,
    processing: q.processing,
    waiting_to_download: q.waitingToDownload,
    waiting_to_process: q.waitingToProcess,
  };
}

function seconds(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function rate(value: number | null): number | null {
  return value === null || !Number.isFinite(value) ? null : Number(value.toPrecision(6));
}
