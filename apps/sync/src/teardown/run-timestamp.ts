/**
 * `YYYYMMDD_HHMMSS` in UTC, the timestamp in backup and `timestamped/` object names. UTC (unlike
 * the reference tool's local time) so names sort in time order across DST changes and machines.
 */
export function formatRunTimestamp(date: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return (
    `${date.getUTCFullYear()}${p(date.getUTCMonth() + 1)}${p(date.getUTCDate())}_` +
    `${p(date.getUTCHours())}${p(date.getUTCMinutes())}${p(date.getUTCSeconds())}`
  );
}
