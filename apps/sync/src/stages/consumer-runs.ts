import type { ConsumerRun } from './plaintext-consumer.js';
import { asError, isCodedError, SyncError } from './sync-errors.js';
import type { SyncContext } from './sync-context.js';

/**
 * Completes each consumer run in order, after the store committed and was verified. A consumer's
 * failure (its sink failed, or `complete()` rejected) becomes `SyncError('consumer_failed')` with
 * the consumer's error as cause and its retryability; a catalogue write failure is passed on as is
 * (it stops the run).
 */
export async function completeConsumers(
  barcode: string,
  runs: readonly ConsumerRun[],
  sinkErrors: ReadonlyMap<object, Error>,
  ctx: SyncContext,
  /** A caller's own reading of a consumer's error (thrown as is), or undefined for the usual `consumer_failed`. */
  reclassify: (cause: Error) => Error | undefined = () => undefined,
): Promise<void> {
  for (const [i, run] of runs.entries()) {
    const name = ctx.consumers[i]?.name ?? `consumer ${i}`;
    const sinkError = sinkErrors.get(run.sink);
    try {
      if (sinkError !== undefined) throw sinkError;
      await run.complete();
    } catch (error) {
      const cause = asError(error);
      if (cause instanceof SyncError && cause.code === 'catalogue_write_failed') throw cause;
      const own = reclassify(cause);
      if (own !== undefined) throw own;
      throw new SyncError('consumer_failed', `${barcode}: ${name} failed: ${cause.message}`, {
        hint: isCodedError(cause) && cause.hint !== undefined ? cause.hint : `see the ${name} error above`,
        retryable: isCodedError(cause) ? cause.retryable === true : false,
        cause,
      });
    }
  }
}

/** Lets every run drop what it made (never throws). */
export async function discardConsumers(runs: readonly ConsumerRun[], reason: Error): Promise<void> {
  await Promise.all(runs.map((r) => r.discard(reason).catch(() => undefined)));
}
