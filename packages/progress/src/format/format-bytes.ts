const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'] as const;

/**
 * Formats a byte count with binary (1024-based) units: `512 B`, `1.5 KiB`,
 * `12.3 MiB`, `512 GiB`. One decimal below 100 of a unit, none above; a value
 * that would round to 1024 of a unit moves up (`1.0 MiB`, never `1024 KiB`).
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '--';
  const negative = bytes < 0;
  let value = Math.abs(bytes);
  let unit = 0;
  if (value < 1024) return `${negative ? '-' : ''}${Math.round(value)} B`;
  while (unit < UNITS.length - 1 && value >= 1024) {
    value /= 1024;
    unit++;
  }
  let text = value < 100 ? value.toFixed(1) : value.toFixed(0);
  if (Number(text) >= 1024 && unit < UNITS.length - 1) {
    unit++;
    text = (value / 1024).toFixed(1);
  }
  return `${negative ? '-' : ''}${text} ${UNITS[unit]}`;
}
