import { GrinError } from '../errors.js';
import type { ClientEvent } from '../types.js';
import { backoffDelay } from './backoff.js';
import { abortReason } from './sleep.js';

export interface RetryPolicy {
  /** Total attempts including the first. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Upper bound for a server's Retry-After (a larger value is clamped). */
  maxRetryAfterMs: number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  random: () => number;
  onEvent: (event: ClientEvent) => void;
}

/**
 * Runs `operation` until it succeeds, fails with a non-retryable error, or the attempts run out.
 * Only {@link GrinError}s with `retryable` are retried; a server's Retry-After replaces the
 * jittered backoff. An abort always ends the loop with the signal's reason.
 */
export async function withRetry<T>(
  policy: RetryPolicy,
  url: string,
  signal: AbortSignal | undefined,
  operation: (attempt: number) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (signal?.aborted) throw abortReason(signal);
      const delayMs = retryDelay(policy, error, attempt);
      if (delayMs === null) throw error;
      await announceAndWait(policy, url, error as GrinError, attempt, delayMs, signal);
    }
  }
}

/** The wait before the next attempt, or null when `error` must not be retried (after `attempt`). */
export function retryDelay(policy: RetryPolicy, error: unknown, attempt: number): number | null {
  if (!(error instanceof GrinError) || !error.retryable || attempt >= policy.attempts) return null;
  return error.retryAfterMs !== null
    ? Math.min(error.retryAfterMs, policy.maxRetryAfterMs)
    : backoffDelay(attempt, policy.baseDelayMs, policy.maxDelayMs, policy.random);
}

/** Reports a retry (event) and sleeps for `delayMs`. */
export async function announceAndWait(
  policy: RetryPolicy,
  url: string,
  error: GrinError,
  attempt: number,
  delayMs: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  policy.onEvent({
    type: 'retry',
    url,
    attempt,
    delayMs,
    code: error.code,
    message: error.message,
    ...(error.status !== undefined ? { status: error.status } : {}),
  });
  await policy.sleep(delayMs, signal);
}
