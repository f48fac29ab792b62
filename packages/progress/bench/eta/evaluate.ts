import type { EstimatorFactory } from './estimators.js';
import type { BenchTrace } from './trace.js';

/**
 * Mean relative ETA error of one estimator on one trace: queried at 1 Hz of
 * trace time; error = |ETA - true remaining| / true remaining, "no estimate"
 * counting as 1 (100 %); averaged over the second half of the run, excluding
 * the last max(10 s, 2 %).
 */
export function evaluate(factory: EstimatorFactory, trace: BenchTrace): number {
  const events = trace.events;
  const last = events[events.length - 1];
  if (!last) throw new Error(`trace ${trace.name} has no events`);
  const end = last[0];
  const from = end / 2;
  const to = end - Math.max(10, 0.02 * end);
  const est = factory.create(trace.initial);
  let completed = trace.initial;
  let next = 0;
  let sum = 0;
  let count = 0;
  for (let t = 1; t <= to; t++) {
    while (next < events.length && (events[next]?.[0] ?? Infinity) <= t) {
      const e = events[next++];
      if (e) {
        completed = e[1];
        est.event(e[0], completed);
      }
    }
    est.query(t, completed);
    if (t < from) continue;
    const remainingItems = trace.total - completed;
    const trueRemaining = end - t;
    let eta: number | null;
    if (est.eta) eta = est.eta(t, remainingItems);
    else {
      const rate = est.rate(t);
      eta = rate !== null && rate > 0 ? remainingItems / rate : null;
    }
    sum += eta === null ? 1 : Math.abs(eta - trueRemaining) / trueRemaining;
    count++;
  }
  return count > 0 ? sum / count : Number.NaN;
}
