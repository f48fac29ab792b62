import type { ConversionResult } from '@grin/client';
import type { ConversionRecord, GrinConversionState } from './conversion-types.js';

export interface ScreenContext {
  state: GrinConversionState;
  force: boolean;
  requestedBefore: (barcode: string) => boolean;
  aborted: boolean;
  full: 'cap' | 'grin' | null;
}

/**
 * The outcome of a barcode that needs no `_process` call, or null when it must be requested.
 * Order matters: GRIN's own lists first (a failed conversion is reported as such even when the
 * queue is full), then this tool's earlier request, then the run's state.
 */
export function screenBarcode(barcode: string, ctx: ScreenContext): ConversionRecord | null {
  const failure = ctx.state.failed.get(barcode);
  if (failure !== undefined && !ctx.force) {
    return {
      barcode,
      kind: 'conversion_failed',
      status: 'conversion_failed',
      reason: 'on_grin_failed_list',
      failure: { failedDate: failure.failedDate, info: failure.info, detailedInfo: failure.detailedInfo },
    };
  }
  if (ctx.state.inProcess.has(barcode)) {
    return { barcode, kind: 'already_in_process', status: 'in_process', reason: 'skip_listed_in_process' };
  }
  if (!ctx.force && ctx.requestedBefore(barcode)) {
    return { barcode, kind: 'already_requested', status: 'skipped', reason: 'skip_already_requested' };
  }
  if (ctx.aborted) return { barcode, kind: 'aborted', status: null, reason: 'aborted' };
  if (ctx.full !== null) return limitReached(barcode, ctx.full === 'grin' ? 'queue_full_earlier_in_run' : 'queue_cap_reached');
  return null;
}

/** Not requested because GRIN's queue is full: deferred to a later run. */
export function limitReached(
  barcode: string,
  reason: 'grin_queue_full' | 'queue_full_earlier_in_run' | 'queue_cap_reached',
  grinResponse?: string,
): ConversionRecord {
  return {
    barcode,
    kind: 'limit_reached',
    status: 'limit_reached',
    reason,
    ...(grinResponse === undefined ? {} : { grinResponse }),
  };
}

/** Reference 1.8 classification of GRIN's answer for one barcode of a `_process` call. */
export function classifyResult(barcode: string, result: ConversionResult | undefined): ConversionRecord {
  if (result === undefined || result.outcome === 'missing') {
    return {
      barcode,
      kind: 'failed',
      status: 'failed',
      reason: 'missing_from_response',
      error: 'GRIN\'s _process answer did not mention this barcode',
    };
  }
  const grinResponse = result.status;
  switch (result.outcome) {
    case 'requested':
      return { barcode, kind: 'requested', status: 'requested', reason: 'success_conversion_requested', grinResponse };
    case 'already_available':
      return { barcode, kind: 'already_available', status: 'skipped', reason: 'skip_already_available', grinResponse };
    case 'already_in_process':
      return { barcode, kind: 'already_in_process', status: 'in_process', reason: 'skip_already_in_process', grinResponse };
    case 'unavailable':
      return { barcode, kind: 'unavailable', status: 'unavailable', reason: 'skip_verified_unavailable', grinResponse };
  }
}
