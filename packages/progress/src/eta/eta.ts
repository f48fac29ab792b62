import { formatDuration, formatDurationCoarse } from '../format/format-duration.js';

/** ETAs above this are shown as a bound (`> 99d`) rather than a number. */
export const DEFAULT_MAX_ETA_SECONDS = 99 * 86_400;

/**
 * An estimate of the time to completion, or the reason there is none.
 * - `done`: nothing remains;
 * - `unknown`: no total, or no trustworthy rate yet;
 * - `stalled`: no progress for `stalledSeconds` (the job looks stuck; an ETA
 *   would be a guess), `seconds` still carries the (growing) estimate;
 * - `estimate`: `seconds` to go, `capped` when it was clipped to the maximum.
 */
export type Eta =
  | { readonly state: 'done' }
  | { readonly state: 'unknown' }
  | { readonly state: 'stalled'; readonly stalledSeconds: number; readonly seconds: number | null }
  | { readonly state: 'estimate'; readonly seconds: number; readonly capped: boolean };

/** Inputs of {@link computeEta}. */
export interface EtaInput {
  /** Work left, in items or bytes; `null` when the total is unknown. */
  readonly remaining: number | null;
  /** Work per second, in the same unit; `null` when there is no estimate. */
  readonly rate: number | null;
  /**
   * Seconds to go when the estimator computed them itself (it may model
   * more than a rate); takes precedence over `remaining / rate`.
   */
  readonly seconds?: number | null;
  /** Seconds without progress when the estimator considers the job stalled. */
  readonly stalledSeconds?: number | null;
  /** Cap, default {@link DEFAULT_MAX_ETA_SECONDS}. */
  readonly maxSeconds?: number;
}

/** ETA from remaining work and rate (items or bytes alike). */
export function computeEta(input: EtaInput): Eta {
  const { remaining, rate } = input;
  if (remaining !== null && remaining <= 0) return { state: 'done' };
  const max = input.maxSeconds ?? DEFAULT_MAX_ETA_SECONDS;
  let seconds: number | null = null;
  let capped = false;
  if (remaining !== null && input.seconds !== undefined && input.seconds !== null && input.seconds >= 0) {
    seconds = input.seconds;
  } else if (remaining !== null && input.seconds === undefined && rate !== null && Number.isFinite(rate) && rate > 0) {
    seconds = remaining / rate;
  }
  if (seconds !== null) {
    if (!(seconds <= max)) {
      seconds = max;
      capped = true;
    }
  }
  const stalled = input.stalledSeconds;
  if (stalled !== undefined && stalled !== null && stalled > 0) {
    return { state: 'stalled', stalledSeconds: stalled, seconds };
  }
  if (seconds === null) return { state: 'unknown' };
  return { state: 'estimate', seconds, capped };
}

/**
 * Text for an ETA: `2m 05s`, `> 99d` (capped), `stalled 45s`, `done`, `--`.
 */
export function formatEta(eta: Eta): string {
  switch (eta.state) {
    case 'done':
      return 'done';
    case 'unknown':
      return '--';
    case 'stalled':
      // Whole seconds: a stall counter ticking in tenths is noise.
      return `stalled ${eta.stalledSeconds < 60 ? `${Math.floor(eta.stalledSeconds)}s` : formatDuration(eta.stalledSeconds)}`;
    case 'estimate':
      return eta.capped ? `> ${formatDurationCoarse(eta.seconds)}` : formatDuration(eta.seconds);
  }
}

/** Seconds of an ETA for machine output (`null` when there is none). */
export function etaSeconds(eta: Eta): number | null {
  switch (eta.state) {
    case 'done':
      return 0;
    case 'unknown':
      return null;
    case 'stalled':
    case 'estimate':
      return eta.seconds;
  }
}
