/**
 * Typed errors of the GRIN client. Every error carries a stable `code` (for logs, exit codes and
 * tests), a `hint` telling the user what to do, and `retryable` (whether trying again may help).
 */

export interface GrinErrorOptions {
  hint?: string;
  cause?: unknown;
  /** HTTP status, when the error comes from a response. */
  status?: number;
  /** The URL the error concerns (never contains secrets: tokens travel in headers). */
  url?: string;
  /** Server-requested wait before a retry (Retry-After), in ms. */
  retryAfterMs?: number | null;
}

/** Base class of all client errors. */
export abstract class GrinError extends Error {
  abstract readonly code: string;
  abstract readonly retryable: boolean;
  readonly hint: string;
  readonly status: number | undefined;
  readonly url: string | undefined;
  /** Server-requested wait before a retry (Retry-After), in ms; null when not given. */
  readonly retryAfterMs: number | null;

  constructor(message: string, options: GrinErrorOptions = {}, defaultHint = '') {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.hint = options.hint ?? defaultHint;
    this.status = options.status;
    this.url = options.url;
    this.retryAfterMs = options.retryAfterMs ?? null;
  }
}

/** Invalid client configuration (bad library directory, bad base URL, bad option values). */
export class ConfigError extends GrinError {
  override readonly name = 'ConfigError';
  readonly code = 'config_invalid';
  readonly retryable = false;
  constructor(message: string, options: GrinErrorOptions = {}) {
    super(message, options, 'Check the configuration values.');
  }
}

/** No usable OAuth2 credentials on disk (or the files are malformed). */
export class AuthMissingError extends GrinError {
  override readonly name = 'AuthMissingError';
  readonly code = 'auth_missing';
  readonly retryable = false;
  constructor(message: string, options: GrinErrorOptions = {}) {
    super(message, options, 'Run `pnpm run auth -- setup` to create the GRIN credentials.');
  }
}

/** The OAuth2 server or GRIN refused our credentials (revoked refresh token, 401 after a refresh). */
export class AuthRefusedError extends GrinError {
  override readonly name = 'AuthRefusedError';
  readonly code = 'auth_refused';
  readonly retryable = false;
  constructor(message: string, options: GrinErrorOptions = {}) {
    super(
      message,
      options,
      'The stored credentials were rejected; run `pnpm run auth -- setup` again to re-authorise.',
    );
  }
}

/** HTTP 403: the account is not allowed to read this library directory. */
export class PermissionError extends GrinError {
  override readonly name = 'PermissionError';
  readonly code = 'permission_denied';
  readonly retryable = false;
  constructor(message: string, options: GrinErrorOptions = {}) {
    super(
      message,
      options,
      'Check that the Google account used for `pnpm run auth -- setup` has access to this GRIN ' +
        'library directory (the name is case-sensitive). After a permission change on Google\'s ' +
        'side, access can take up to half a day to become effective.',
    );
  }
}

/** HTTP 404 (e.g. an archive that is not converted / not available). Never retried. */
export class NotFoundError extends GrinError {
  override readonly name = 'NotFoundError';
  readonly code = 'not_found';
  readonly retryable = false;
  constructor(message: string, options: GrinErrorOptions = {}) {
    super(message, options, 'The resource does not exist on GRIN (for an archive: not converted yet).');
  }
}

/** HTTP 429 on an ordinary request, after the retries were exhausted. */
export class RateLimitedError extends GrinError {
  override readonly name = 'RateLimitedError';
  readonly code = 'rate_limited';
  readonly retryable = true;
  constructor(message: string, options: GrinErrorOptions = {}) {
    super(message, options, 'GRIN is throttling requests; lower the concurrency or the request rate and retry later.');
  }
}

/** HTTP 429 on a conversion request: GRIN's conversion queue (50,000 books) is full. Not retried. */
export class QueueFullError extends GrinError {
  override readonly name = 'QueueFullError';
  readonly code = 'queue_full';
  readonly retryable = false;
  /** Results of the batches that were accepted before the queue filled up. */
  readonly partialResults: readonly unknown[];
  constructor(message: string, options: GrinErrorOptions & { partialResults?: readonly unknown[] } = {}) {
    super(
      message,
      options,
      'GRIN accepts at most 50,000 queued conversions; wait until queued books are converted ' +
        '(see the _in_process list) and request again.',
    );
    this.partialResults = options.partialResults ?? [];
  }
}

/** GRIN answered a listing page with "Your request is unavailable". Retried by the client. */
export class UnavailableError extends GrinError {
  override readonly name = 'UnavailableError';
  readonly code = 'unavailable';
  readonly retryable = true;
  constructor(message: string, options: GrinErrorOptions = {}) {
    super(message, options, 'GRIN could not serve the page right now; retry later (a collection can resume).');
  }
}

/** GRIN rejected a pagination cursor (HTTP 400/410 on a `first=`/`ctoken=` URL): restart from page 1. */
export class CursorRejectedError extends GrinError {
  override readonly name = 'CursorRejectedError';
  readonly code = 'cursor_rejected';
  readonly retryable = false;
  constructor(message: string, options: GrinErrorOptions = {}) {
    super(message, options, 'The saved pagination link has expired; restart the listing from page 1.');
  }
}

/** HTTP 5xx after the retries were exhausted. */
export class ServerError extends GrinError {
  override readonly name = 'ServerError';
  readonly code = 'server_error';
  readonly retryable = true;
  constructor(message: string, options: GrinErrorOptions = {}) {
    super(message, options, 'GRIN is having trouble; retry later.');
  }
}

/** Connection refused/reset, timeouts (connect, stalled headers/body), truncated bodies. */
export class NetworkError extends GrinError {
  override readonly name = 'NetworkError';
  readonly code = 'network';
  readonly retryable = true;
  constructor(message: string, options: GrinErrorOptions = {}) {
    super(message, options, 'Check the network connection; the operation can be retried.');
  }
}

/** GRIN answered something we cannot use: unexpected status, missing header, unparseable page. */
export class ProtocolError extends GrinError {
  override readonly name = 'ProtocolError';
  readonly code = 'protocol';
  readonly retryable = false;
  constructor(message: string, options: GrinErrorOptions = {}) {
    super(message, options, 'GRIN returned an unexpected response; if this persists, report it with the URL.');
  }
}

/** True for errors that a retry loop may try again. */
export function isRetryable(error: unknown): boolean {
  return error instanceof GrinError && error.retryable;
}
