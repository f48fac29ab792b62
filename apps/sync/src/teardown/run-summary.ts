import { buildProcessSummary, type ProcessSummary, type RunSession } from '@grin/books';
import type { TeardownItem } from './teardown-types.js';

/**
 * `process_summary.json` as the sync teardown writes it: @grin/books' ProcessSummary (the same
 * shape collect writes, with per-stage totals, reasons and session history) plus the outcome of
 * this teardown's items.
 */
export interface RunSummary extends ProcessSummary {
  /** Outcome of the teardown items that ran before the summary was written. */
  teardown?: { items: TeardownItem[] };
}

/**
 * The run's summary rebuilt from all sessions (the source of truth) with @grin/books'
 * `buildProcessSummary`, plus a `teardown` section; a failed teardown item sets `has_errors`.
 */
export function buildRunSummary(
  runName: string,
  sessions: readonly RunSession[],
  generatedAt: string,
  teardown?: readonly TeardownItem[],
): RunSummary {
  const base = buildProcessSummary(runName, sessions, generatedAt);
  if (teardown === undefined) return base;
  return {
    ...base,
    has_errors: base.has_errors || teardown.some((item) => !item.ok),
    teardown: { items: [...teardown] },
  };
}
