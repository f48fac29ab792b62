import { PARSE_ERROR } from './parse-worker-protocol.js';

/** An error reported by the listing worker, rebuilt on the main thread (code kept for mapping). */
export class ListingWorkerError extends Error {
  override readonly name = 'ListingWorkerError';
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }

  /** The parser failed (as opposed to the network). */
  get isParseError(): boolean {
    return this.code === PARSE_ERROR;
  }
}

export function workerError(message: { message: string; code: string | undefined }): ListingWorkerError {
  return new ListingWorkerError(message.message, message.code);
}
