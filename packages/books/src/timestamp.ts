/** A clock returning the current time; injected so tests control every stored timestamp. */
export type Clock = () => Date;

/** The default clock. */
export const systemClock: Clock = () => new Date();

/**
 * The catalogue's single timestamp format: UTC ISO-8601 with milliseconds and an explicit
 * `+00:00` offset (like the reference tool's Python `isoformat()`), e.g.
 * `2025-01-31T14:30:00.000+00:00`. Fixed width, so string order equals time order.
 */
export function isoTimestamp(date: Date): string {
  return date.toISOString().replace(/Z$/, '+00:00');
}
