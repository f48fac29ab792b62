/**
 * Exponential backoff with "full jitter": a uniformly random delay between 0 and
 * min(maxDelayMs, baseDelayMs * 2^(attempt-1)), where `attempt` is the 1-based attempt that failed.
 */
export function backoffDelay(attempt: number, baseDelayMs: number, maxDelayMs: number, random: () => number): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

/**
 * Parses a Retry-After header: delta-seconds or an HTTP date (relative to `now`, epoch ms).
 * Returns milliseconds (>= 0), or null when absent/unparseable.
 */
export function parseRetryAfter(value: string | string[] | undefined | null, now: number): number | null {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw === null) return null;
  const text = raw.trim();
  if (text === '') return null;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  if (!/[a-z]/i.test(text)) return null; // an HTTP date names a month; '-5' or '1.2.3' are not dates
  const date = Date.parse(text);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now);
}
