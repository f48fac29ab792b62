import { baseStateOf, isFailedBook } from './bookGenerator.js';
import type { ConversionTracker } from './conversionTracker.js';
import type { ListName } from '../types.js';

interface BaseLists {
  converted: Int32Array;
  inProcess: Int32Array;
  failed: Int32Array;
}

/**
 * Position -> book index for each list. `_all_books` is the identity; the others are built once
 * by scanning base states (a hash per volume, ~10 ms per million), then merged with runtime
 * conversions when those change.
 */
export class ListIndex {
  private base: BaseLists | undefined;
  private cache = new Map<ListName, { version: number; indices: ArrayLike<number> }>();

  constructor(
    private readonly key: number,
    private readonly size: number,
    private readonly tracker: ConversionTracker,
  ) {}

  /** Indices of a list in page order (identity for `_all_books` is represented by null). */
  indices(list: ListName): ArrayLike<number> | null {
    if (list === '_all_books') return null;
    const cached = this.cache.get(list);
    if (cached && cached.version === this.tracker.version) return cached.indices;
    const base = this.baseLists();
    let indices: ArrayLike<number>;
    if (list === '_failed') indices = base.failed;
    else if (list === '_converted') indices = mergeDistinct(base.converted, this.tracker.convertedIndices());
    else indices = mergeDistinct(base.inProcess, this.tracker.pendingIndices());
    this.cache.set(list, { version: this.tracker.version, indices });
    return indices;
  }

  count(list: ListName): number {
    const indices = this.indices(list);
    return indices === null ? this.size : indices.length;
  }

  baseInProcessCount(): number {
    return this.baseLists().inProcess.length;
  }

  private baseLists(): BaseLists {
    if (this.base) return this.base;
    const converted: number[] = [];
    const inProcess: number[] = [];
    const failed: number[] = [];
    for (let i = 0; i < this.size; i++) {
      const state = baseStateOf(this.key, i);
      if (state === 'CONVERTED') converted.push(i);
      else if (state === 'IN_PROCESS') inProcess.push(i);
      else if (isFailedBook(this.key, i, state)) failed.push(i);
    }
    this.base = {
      converted: Int32Array.from(converted),
      inProcess: Int32Array.from(inProcess),
      failed: Int32Array.from(failed),
    };
    return this.base;
  }
}

/** Merge of two ascending lists; runtime entries are never in the base list of the same kind. */
function mergeDistinct(a: ArrayLike<number>, b: readonly number[]): ArrayLike<number> {
  if (b.length === 0) return a;
  const out = new Int32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = (a[i] as number) <= (b[j] as number) ? (a[i++] as number) : (b[j++] as number);
  while (i < a.length) out[k++] = a[i++] as number;
  while (j < b.length) out[k++] = b[j++] as number;
  return out;
}
