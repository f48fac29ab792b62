export {
  CONVERSION_RESULT_KINDS,
  conversionSessionCounts,
  emptyConversionCounts,
  GRIN_QUEUE_LIMIT,
  historyDetails,
  type ConversionCounts,
  type ConversionEvents,
  type ConversionQueueState,
  type ConversionRecord,
  type ConversionResultKind,
  type GrinConversionState,
} from './conversion-types.js';
export { loadConversionState, type LoadConversionStateOptions } from './load-conversion-state.js';
export { ConversionRequester } from './conversion-requester.js';
export type { ConversionRequesterOptions, ConversionTimers } from './conversion-requester-options.js';
export { formatQueueState } from './format-queue-state.js';
export { CatalogueQueueSource, type CatalogueQueueSourceOptions, type QueueSelectionCounts } from './catalogue-queue-source.js';
export { ConversionError, type ConversionErrorCode } from './convert-errors.js';
