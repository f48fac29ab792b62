import type { TimerApi } from '../../src/index.js';

interface Interval {
  readonly id: number;
  readonly callback: () => void;
  readonly ms: number;
  next: number;
}

/** A manual clock and interval timers: advance() moves time and fires due intervals in order. */
export class FakeTime {
  now = 1_000;
  clockReads = 0;
  private intervals: Interval[] = [];
  private nextId = 1;

  readonly clock = (): number => {
    this.clockReads++;
    return this.now;
  };

  readonly timers: TimerApi = {
    setInterval: (callback: () => void, ms: number) => {
      const interval = { id: this.nextId++, callback, ms, next: this.now + ms };
      this.intervals.push(interval);
      return interval.id;
    },
    clearInterval: (handle: unknown) => {
      this.intervals = this.intervals.filter((i) => i.id !== handle);
    },
  };

  get activeIntervals(): number {
    return this.intervals.length;
  }

  /** Moves time forward by `ms`, firing every due interval at its due time. */
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      const due = this.intervals.filter((i) => i.next <= end).sort((a, b) => a.next - b.next)[0];
      if (!due) break;
      this.now = due.next;
      due.next += due.ms;
      due.callback();
    }
    this.now = end;
  }
}
