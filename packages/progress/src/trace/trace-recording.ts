/**
 * The GRIN_PROGRESS_TRACE file format: newline-delimited JSON, appended to.
 * Each reporter session writes a header object, then one compact array per
 * sample, then an end object:
 *
 *   {"grin_progress_trace":1,"operation":"Syncing","unit":"book","initial":300,"total":5000,"started_at":"2025-01-01T00:00:00.000Z"}
 *   [1.002,310,5000]          <- [t_seconds since session start, completed, total|null]
 *   ...
 *   {"end":true,"t":3600.5,"completed":5000,"status":"completed"}
 *
 * Samples are taken on the reporter's timer (at most one per second) and only
 * written when the count or total changed.
 */
import { ProgressError } from '../progress-error.js';

export const TRACE_FORMAT_VERSION = 1;

/** First line of a session. */
export interface TraceHeader {
  readonly grin_progress_trace: typeof TRACE_FORMAT_VERSION;
  readonly operation: string;
  readonly unit: string;
  readonly initial: number;
  readonly total: number | null;
  readonly started_at: string;
}

/** A trace as the ETA benchmark replays it (`bench:eta --traces FILE`). */
export interface ReplayTrace {
  readonly name: string;
  readonly total: number;
  readonly initial: number;
  readonly events: Array<readonly [number, number]>;
}

/** Whether `text` is a trace recording (rather than benchmark JSON). */
export function looksLikeTraceRecording(text: string): boolean {
  const first = text.trimStart().split('\n', 1)[0] ?? '';
  try {
    const value: unknown = JSON.parse(first);
    return typeof value === 'object' && value !== null && 'grin_progress_trace' in value;
  } catch {
    return false;
  }
}

/**
 * Converts a recording into benchmark traces, one per session that made
 * progress. The benchmark's truth is what happened: a session's total is its
 * final count (an interrupted run is scored as if it ended at its last
 * progress, and a total that was only an estimate does not distort the
 * score). Names are `operation #n` in file order.
 */
export function convertTraceRecording(text: string): ReplayTrace[] {
  const traces: ReplayTrace[] = [];
  let current: { name: string; initial: number; events: Array<readonly [number, number]>; last: number } | null = null;
  let sessions = 0;
  const flush = () => {
    if (current && current.events.length > 0) {
      traces.push({ name: current.name, total: current.last, initial: current.initial, events: current.events });
    }
    current = null;
  };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]?.trim() ?? '';
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      // A run killed mid-write can leave a torn last line; anything else is corrupt.
      if (i >= lines.length - 2) continue;
      throw new ProgressError('PROGRESS_TRACE_CORRUPT', `trace recording line ${i + 1} is not JSON`,
        'The file is not a GRIN_PROGRESS_TRACE recording, or was edited; record it again.');
    }
    if (Array.isArray(value)) {
      const [t, completed] = value as unknown[];
      if (!current || typeof t !== 'number' || typeof completed !== 'number') continue;
      const session: { events: Array<readonly [number, number]>; last: number } = current;
      if (completed !== session.last) {
        session.events.push([t, completed]);
        session.last = completed;
      }
    } else if (typeof value === 'object' && value !== null && 'grin_progress_trace' in value) {
      flush();
      const header = value as Partial<TraceHeader>;
      sessions++;
      const initial = typeof header.initial === 'number' ? header.initial : 0;
      current = { name: `${header.operation ?? 'session'} #${sessions}`, initial, events: [], last: initial };
    }
  }
  flush();
  return traces;
}
