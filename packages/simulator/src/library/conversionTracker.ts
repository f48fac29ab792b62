interface Pending {
  index: number;
  due: number;
}

export type StateOverride =
  | { state: 'IN_PROCESS'; requestedAt: number }
  | { state: 'CONVERTED'; convertedAt: number };

/**
 * Runtime conversions requested through `_process`: in process until `delayMs` has passed on the
 * injected clock, converted afterwards. Completion is evaluated lazily (`settle`), so no timers.
 */
export class ConversionTracker {
  private readonly pending = new Map<number, number>();
  private readonly queue: Pending[] = [];
  private queueHead = 0;
  private readonly converted = new Map<number, number>();
  private convertedSorted: number[] = [];
  private pendingSorted: number[] | null = [];
  /** Bumped whenever a list membership changes, so list caches can be rebuilt. */
  version = 0;

  constructor(
    private readonly clock: () => number,
    private readonly delayMs: number,
  ) {}

  settle(): void {
    const now = this.clock();
    let changed = false;
    while (this.queueHead < this.queue.length) {
      const next = this.queue[this.queueHead] as Pending;
      if (next.due > now) break;
      this.queueHead++;
      this.pending.delete(next.index);
      this.converted.set(next.index, next.due);
      insertSorted(this.convertedSorted, next.index);
      changed = true;
    }
    if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue.splice(0, this.queueHead);
      this.queueHead = 0;
    }
    if (changed) {
      this.pendingSorted = null;
      this.version++;
    }
  }

  request(index: number): void {
    const now = this.clock();
    this.converted.delete(index);
    const at = this.convertedSorted.indexOf(index);
    if (at >= 0) this.convertedSorted.splice(at, 1);
    this.pending.set(index, now);
    const due = now + this.delayMs;
    // Keep the queue ordered by due time even if the injected clock goes backwards.
    let pos = this.queue.length;
    while (pos > this.queueHead && (this.queue[pos - 1] as Pending).due > due) pos--;
    this.queue.splice(pos, 0, { index, due });
    this.pendingSorted = null;
    this.version++;
  }

  override(index: number): StateOverride | undefined {
    if (this.pending.size > 0) {
      const requestedAt = this.pending.get(index);
      if (requestedAt !== undefined) return { state: 'IN_PROCESS', requestedAt };
    }
    if (this.converted.size > 0) {
      const convertedAt = this.converted.get(index);
      if (convertedAt !== undefined) return { state: 'CONVERTED', convertedAt };
    }
    return undefined;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  get hasOverrides(): boolean {
    return this.pending.size > 0 || this.converted.size > 0;
  }

  pendingIndices(): readonly number[] {
    this.pendingSorted ??= [...this.pending.keys()].sort((a, b) => a - b);
    return this.pendingSorted;
  }

  convertedIndices(): readonly number[] {
    return this.convertedSorted;
  }
}

function insertSorted(list: number[], value: number): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, value);
}
