import { formatCount } from '../format/format-count.js';
import { formatProgressLine } from '../lines/progress-line.js';
import { withQueueExtras } from '../lines/queue-progress-line.js';
import { sanitizeLine } from '../lines/sanitize.js';
import { formatSummary } from '../lines/summary-line.js';
import type { ProgressSnapshot, ProgressSummary } from '../reporter/types.js';
import { IntervalSchedule, SAMPLE_MS } from './interval-schedule.js';
import type { Renderer } from './renderer.js';
import type { TextSink } from './text-sink.js';

/**
 * For CI and log files: a start line, one progress line per interval, log
 * lines as they come, and the summary. Never a `\r` or an escape sequence
 * (caller text is sanitised too).
 */
export class PlainRenderer implements Renderer {
  readonly tickMs: number;
  private readonly schedule: IntervalSchedule;

  constructor(
    private readonly stream: TextSink,
    intervalMs: number,
  ) {
    this.schedule = new IntervalSchedule(intervalMs);
    this.tickMs = Math.min(SAMPLE_MS, intervalMs);
  }

  start(snapshot: ProgressSnapshot, nowMs: number): void {
    this.schedule.start(nowMs, this.tickMs);
    let line = `${sanitizeLine(snapshot.operation)}: started`;
    if (snapshot.total !== null) line += ` (total: ${formatCount(snapshot.total)} ${snapshot.unit.plural})`;
    if (snapshot.initialCompleted > 0) line += `, resuming after ${formatCount(snapshot.initialCompleted)} already done`;
    this.stream.write(`${line}\n`);
  }

  update(snapshot: ProgressSnapshot, nowMs: number): void {
    if (!this.schedule.due(nowMs)) return;
    this.stream.write(`${plainProgressLine(snapshot)}\n`);
  }

  log(line: string): void {
    for (const part of line.split('\n')) this.stream.write(`${sanitizeLine(part)}\n`);
  }

  finish(summary: ProgressSummary): void {
    this.stream.write(`${formatSummary(summary)}\n`);
  }
}

/** The plain/generic line for a snapshot (queue fields first when present). */
export function plainProgressLine(snapshot: ProgressSnapshot): string {
  return formatProgressLine({ ...snapshot, extra: withQueueExtras(snapshot.queue, snapshot.extra) });
}
