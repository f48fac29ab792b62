import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | null | undefined;

/** V8's full collection, or null where it cannot be had. */
function fullGc(): (() => void) | null {
  if (gc === undefined) {
    try {
      // Exposes `gc` to new contexts only; the process keeps its normal flags otherwise.
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as () => void;
    } catch {
      gc = null;
    }
  }
  return gc;
}

/** Default growth of the heap between two forced collections. */
export const DEFAULT_HEAP_BUDGET_BYTES = 24 * 1024 * 1024;

/**
 * Keeps the main thread's heap near its live size during a walk. Each page (~10 MB of row objects
 * and strings at 10,000 rows) that is alive during a young-generation collection gets promoted,
 * and V8 lets the old generation grow far past the live data before it collects it (measured on
 * a 300,000-row walk: the main heap reached ~120 MB, the process ~330 MB RSS). A full collection
 * whenever the heap has grown by `budgetBytes` since the last one keeps it near live + budget.
 * Call {@link afterPage} where the previous page is already garbage (the listing thread's loop,
 * when the consumer asks for the next page): a collection there frees the page instead of
 * promoting it, and marks only the ~23 MB that is really live. The listing thread needs none: it
 * packs rows as it parses, so its garbage dies young. (The first version forced a full
 * collection per page on both threads: on a 2-core machine V8's helper threads then spent more
 * CPU than the SQLite store.)
 */
export class MemoryPacer {
  private baseline: number | null = null;

  constructor(
    private readonly budgetBytes = DEFAULT_HEAP_BUDGET_BYTES,
    private readonly heapUsed: () => number = () => getHeapStatistics().used_heap_size,
    private readonly collect: () => void = MemoryPacer.collectNow,
  ) {}

  /** A full collection now (e.g. before a memory-hungry phase such as the CSV export). */
  static collectNow(): void {
    fullGc()?.();
  }

  /** Call once per page, at a point where the previous page is no longer referenced. */
  afterPage(): void {
    const used = this.heapUsed();
    if (this.baseline === null || used < this.baseline) {
      // First page, or V8 collected on its own: the heap is near its live size.
      this.baseline = used;
      return;
    }
    if (used - this.baseline < this.budgetBytes) return;
    this.collect();
    this.baseline = this.heapUsed();
  }
}
