import type { Catalogue } from '@grin/books';
import type { GrinClient } from '@grin/client';
import { ConversionRequester, formatQueueState, loadConversionState, type ConversionEvents } from '../convert/index.js';
import { errorText } from '../stages/sync-errors.js';

export interface ConversionSetupInput {
  client: GrinClient;
  catalogue: Pick<Catalogue, 'getBook'>;
  events: ConversionEvents;
  force: boolean;
  queueLimit: number;
  /** First Ctrl-C: stops reading GRIN's lists. */
  drain: AbortSignal;
  /** Second Ctrl-C: pending requests are settled as aborted. */
  abort: AbortSignal;
  log: (line: string) => void;
}

export type ConversionSetup =
  | { ok: true; requester: ConversionRequester }
  /** GRIN's `_in_process` list could not be read: the catalogue queues are skipped. */
  | { ok: false; error: Error };

/**
 * Once per run that has a `previous` or `unconverted` queue: reads GRIN's `_in_process` and
 * `_failed` lists and creates the run's conversion requester (batched `_process` calls, GRIN's
 * queue limit counted, 429 = stop requesting, `_failed` not requested again without --force).
 * Logs the "GRIN queue: X in process, Y available" line.
 */
export async function setUpConversions(input: ConversionSetupInput): Promise<ConversionSetup> {
  let state;
  try {
    state = await loadConversionState(input.client, { signal: input.drain });
  } catch (error) {
    if (input.drain.aborted) throw error;
    const err = error instanceof Error ? error : new Error(String(error));
    input.log(`cannot read GRIN's _in_process list (${errorText(err)}): the previous/unconverted queues are skipped`);
    return { ok: false, error: err };
  }
  if (state.failedListError !== null) {
    input.log(`warning: cannot read GRIN's _failed list (${errorText(state.failedListError)}); failed conversions may be requested again in this run`);
  }
  const { catalogue } = input;
  const requester = new ConversionRequester({
    client: input.client,
    events: input.events,
    state,
    requestedBefore: (b) => Boolean(catalogue.getBook(b)?.processing_request_timestamp),
    force: input.force,
    queueLimit: input.queueLimit,
    signal: input.abort,
    log: input.log,
  });
  input.log(`${formatQueueState(requester.queueState())}; ${state.failed.size.toLocaleString('en-US')} on GRIN's _failed list${input.force ? ' (requested again: --force)' : ' (not requested)'}`);
  return { ok: true, requester };
}
