import type { ConversionQueueState } from './conversion-types.js';

/** `GRIN queue: 1,234 in process, 48,766 of 50,000 available` (reference 5.2 start-up line). */
export function formatQueueState(q: ConversionQueueState): string {
  const n = (v: number): string => v.toLocaleString('en-US');
  const full = q.full === 'grin' ? ' (GRIN answered "queue full")' : q.full === 'cap' ? ' (limit reached)' : '';
  return `GRIN queue: ${n(q.inProcessAtStart + q.requestedThisRun)} in process, ${n(q.available)} of ${n(q.limit)} available${full}`;
}
