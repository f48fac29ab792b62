import { closeSync, openSync, writeSync } from 'node:fs';
import { TRACE_FORMAT_VERSION, type TraceHeader } from './trace-recording.js';

/** Where and how to record; see trace-recording.ts for the format. */
export interface TraceRecorderOptions {
  readonly file: string;
  readonly operation: string;
  readonly unit: string;
  readonly initial: number;
  readonly total: number | null;
  /** Epoch ms of the session start, for the header. */
  readonly startedAt: number;
  /** Minimum seconds between written samples, default 1. */
  readonly intervalSeconds?: number;
}

/**
 * Appends a reporter's samples to a trace file (GRIN_PROGRESS_TRACE). Called
 * from the reporter's timer, never per tick. Writes are synchronous and tiny
 * (at most one line a second) so the file is complete even if the process
 * dies abruptly.
 */
export class TraceRecorder {
  private fd: number | null;
  private readonly interval: number;
  private lastTime = -Infinity;
  private lastCompleted = Number.NaN;
  private lastTotal: number | null | undefined = undefined;

  /** Opens `file` for appending and writes the header; throws if it cannot be opened. */
  constructor(options: TraceRecorderOptions) {
    this.interval = options.intervalSeconds ?? 1;
    this.fd = openSync(options.file, 'a');
    const header: TraceHeader = {
      grin_progress_trace: TRACE_FORMAT_VERSION,
      operation: options.operation,
      unit: options.unit,
      initial: options.initial,
      total: options.total,
      started_at: new Date(options.startedAt).toISOString(),
    };
    this.write(`${JSON.stringify(header)}\n`);
  }

  /** Records a sample if a second has passed and something changed. */
  record(t: number, completed: number, total: number | null): void {
    if (this.fd === null || t - this.lastTime < this.interval) return;
    if (completed === this.lastCompleted && total === this.lastTotal) return;
    this.writeSample(t, completed, total);
  }

  /** Writes the final sample and the end marker, then closes the file. Idempotent. */
  close(t: number, completed: number, total: number | null, status: string): void {
    if (this.fd === null) return;
    if (completed !== this.lastCompleted || total !== this.lastTotal) this.writeSample(t, completed, total);
    this.write(`${JSON.stringify({ end: true, t: round3(t), completed, status })}\n`);
    const fd = this.fd;
    this.fd = null;
    closeSync(fd);
  }

  private writeSample(t: number, completed: number, total: number | null): void {
    this.lastTime = t;
    this.lastCompleted = completed;
    this.lastTotal = total;
    this.write(`[${round3(t)},${completed},${total === null ? 'null' : total}]\n`);
  }

  private write(text: string): void {
    if (this.fd === null) return;
    try {
      writeSync(this.fd, text);
    } catch {
      // A full disk must not kill the job being traced; stop tracing instead.
      try {
        closeSync(this.fd);
      } catch {
        // already unusable
      }
      this.fd = null;
    }
  }
}

function round3(t: number): number {
  return Math.round(t * 1000) / 1000;
}
