/**
 * Formats an item count with thousands separators: `1234567` -> `1,234,567`.
 * Non-integers are rounded; NaN and infinities give `--`. Locale independent
 * on purpose, so log files and tests read the same everywhere.
 */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '--';
  const rounded = Math.round(n);
  const digits = String(Math.abs(rounded));
  let out = '';
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ',';
    out += digits[i];
  }
  return rounded < 0 ? `-${out}` : out;
}

/**
 * Formats a percentage with one decimal. Truncates rather than rounds, so
 * 99.96 % shows as `99.9%` and `100.0%` only appears when the work is done.
 */
export function formatPercent(percent: number): string {
  if (!Number.isFinite(percent)) return '--%';
  const tenths = Math.floor(percent * 10 + 1e-9);
  return `${(tenths / 10).toFixed(1)}%`;
}
