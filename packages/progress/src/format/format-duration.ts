/**
 * Formats a duration in seconds for humans.
 *
 * | range      | output            |
 * |------------|-------------------|
 * | < 1 s      | `250ms`           |
 * | < 60 s     | `42.5s`           |
 * | < 1 h      | `2m 05s`          |
 * | < 1 d      | `3h 07m`          |
 * | >= 1 d     | `4d 03h`          |
 *
 * Rounding happens before the range is chosen, so a value never shows an
 * out-of-range field: 59.96 s is `1m 00s` and 119.6 s is `2m 00s` (the seed
 * printed `1m 60s`). Larger units truncate the smallest field, so the text
 * never claims more time than has passed. Negative input is treated as 0;
 * NaN and infinities give `--`.
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--';
  const s = seconds > 0 ? seconds : 0;
  const ms = Math.round(s * 1000);
  if (ms < 1000) return `${ms}ms`;
  const tenths = Math.round(s * 10);
  if (tenths < 600) return `${(tenths / 10).toFixed(1)}s`;
  const whole = Math.round(s);
  if (whole < 3600) return `${Math.floor(whole / 60)}m ${pad2(whole % 60)}s`;
  const minutes = Math.floor(whole / 60);
  if (minutes < 24 * 60) return `${Math.floor(minutes / 60)}h ${pad2(minutes % 60)}m`;
  const hours = Math.floor(minutes / 60);
  return `${Math.floor(hours / 24)}d ${pad2(hours % 24)}h`;
}

/**
 * Compact duration for an upper bound: whole days (`99d`), hours (`5h`),
 * minutes (`7m`) or seconds (`45s`), whichever is the largest unit that fits.
 */
export function formatDurationCoarse(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--';
  const s = Math.max(0, Math.floor(seconds));
  if (s >= 86_400) return `${Math.floor(s / 86_400)}d`;
  if (s >= 3600) return `${Math.floor(s / 3600)}h`;
  if (s >= 60) return `${Math.floor(s / 60)}m`;
  return `${s}s`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}
