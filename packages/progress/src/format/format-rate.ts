import { formatBytes } from './format-bytes.js';
import { formatCount } from './format-count.js';
import { formatDuration } from './format-duration.js';
import { ITEM_UNIT, type Unit } from './unit.js';

/**
 * Formats an item rate. At or above 1 unit per second: `12.3 books/s`
 * (`1,234 books/s` from 1,000 up). Below that the reading flips to time per
 * unit, which is what a person can picture: `2.5s/book`, `1m 30s/book`.
 * `null` (no estimate) gives `-- books/s`; 0 gives `0 books/s`.
 */
export function formatRate(rate: number | null, unit: Unit = ITEM_UNIT): string {
  if (rate === null || !Number.isFinite(rate) || rate < 0) return `-- ${unit.plural}/s`;
  if (rate === 0) return `0 ${unit.plural}/s`;
  if (rate < 1) {
    // Round-trip through the formatter's own rounding so 0.9999/s reads 1.0s/item.
    return `${formatDuration(1 / rate)}/${unit.singular}`;
  }
  if (rate >= 999.95) return `${formatCount(rate)} ${unit.plural}/s`;
  return `${rate.toFixed(1)} ${unit.plural}/s`;
}

/** Formats a byte rate: `12.3 MiB/s`; `null` gives `-- B/s`. */
export function formatByteRate(bytesPerSecond: number | null): string {
  if (bytesPerSecond === null || !Number.isFinite(bytesPerSecond) || bytesPerSecond < 0) return '-- B/s';
  return `${formatBytes(bytesPerSecond)}/s`;
}
