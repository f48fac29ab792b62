import type { SessionCounts } from './session-types.js';

/** Adds `more` into `into`, key by key, and returns `into`. */
export function mergeCounts(into: SessionCounts, more: SessionCounts): SessionCounts {
  for (const [key, value] of Object.entries(more)) into[key] = (into[key] ?? 0) + value;
  return into;
}

/** The four headline counters of a stage (issue 6: processed / succeeded / skipped / failed). */
export interface StageTotals {
  /** Items that reached an end state (for sync: synced + skipped + unavailable + failed). */
  processed: number;
  succeeded: number;
  skipped: number;
  failed: number;
}

const n = (c: SessionCounts, key: string): number => c[key] ?? 0;

/**
 * How a stage's own counters map to the totals when a session did not record `processed` itself.
 * Both apps' stages are here so that whichever app rewrites process_summary.json, the figures agree.
 */
const DERIVED_TOTALS: Record<string, (c: SessionCounts) => StageTotals> = {
  sync: (c) => ({
    processed: n(c, 'synced') + n(c, 'skipped') + n(c, 'unavailable') + n(c, 'failed'),
    succeeded: n(c, 'synced'),
    skipped: n(c, 'skipped'),
    failed: n(c, 'failed'),
  }),
  // @grin/books' own listing counters (LISTING_SESSION_COUNT_KEYS); the collect tracker also
  // records processed/succeeded/skipped/failed directly, which then take precedence.
  collect: (c) => ({
    processed: n(c, 'rowsSeen'),
    succeeded: n(c, 'inserted') + n(c, 'updated') + n(c, 'unchanged'),
    skipped: n(c, 'withoutBarcode'),
    failed: n(c, 'failed'),
  }),
};

/**
 * Totals of one session: its own `processed`/`succeeded`/`skipped`/`failed` counters when it
 * recorded `processed`, else derived from the stage's known counters, else the same four names.
 */
export function sessionTotals(stage: string, counts: SessionCounts): StageTotals {
  const derive = DERIVED_TOTALS[stage];
  if (derive !== undefined && !('processed' in counts)) return derive(counts);
  return { processed: n(counts, 'processed'), succeeded: n(counts, 'succeeded'), skipped: n(counts, 'skipped'), failed: n(counts, 'failed') };
}

export function addTotals(a: StageTotals, b: StageTotals): StageTotals {
  return { processed: a.processed + b.processed, succeeded: a.succeeded + b.succeeded, skipped: a.skipped + b.skipped, failed: a.failed + b.failed };
}

export const ZERO_TOTALS: StageTotals = { processed: 0, succeeded: 0, skipped: 0, failed: 0 };

/**
 * Counters named `kind:reason` grouped by kind, e.g.
 * `{ skipped: { etag_match: 3 }, failed: { decrypt_bad_passphrase: 1 }, conversion: { requested: 5 } }`.
 */
export function countsByReason(counts: SessionCounts): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const [key, value] of Object.entries(counts)) {
    const colon = key.indexOf(':');
    if (colon <= 0) continue;
    (out[key.slice(0, colon)] ??= {})[key.slice(colon + 1)] = value;
  }
  return out;
}
