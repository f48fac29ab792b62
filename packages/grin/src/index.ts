export { createGrinClient, DEFAULT_PARSE_IN } from './client.js';
export { DEFAULT_BASE_URL, validateLibraryDirectory } from './config.js';
export {
  AuthMissingError,
  AuthRefusedError,
  ConfigError,
  CursorRejectedError,
  GrinError,
  isRetryable,
  NetworkError,
  NotFoundError,
  PermissionError,
  ProtocolError,
  QueueFullError,
  RateLimitedError,
  ServerError,
  UnavailableError,
  type GrinErrorOptions,
} from './errors.js';
export type * from './types.js';
export { staticTokenProvider, type RejectionReason, type TokenProvider } from './auth/token-provider.js';
export { OAuthTokenProvider, type OAuthTokenProviderOptions } from './auth/oauth-token-provider.js';
export {
  CREDENTIALS_FILE,
  GRIN_SCOPES,
  readClientSecret,
  readCredentials,
  resolveCredentialsDir,
  SETUP_COMMAND,
  writeCredentials,
  type ClientSecret,
  type StoredCredentials,
} from './auth/credential-files.js';
export { grinDateToIso } from './listing/grin-date.js';
export { normaliseHeaderKey } from './listing/header-key.js';
export { ListingParser, parseListingHtml, type ParsedListing } from './listing/listing-parser.js';
export { packListingRows, unpackListingRows } from './listing/packed-rows.js';
export { warmUpListingParser } from './listing/warm-up.js';
export { backoffDelay, parseRetryAfter } from './http/backoff.js';
export { TokenBucket, type TokenBucketOptions } from './http/rate-limiter.js';
export { Semaphore } from './http/semaphore.js';
export { startModuleWorker } from './start-module-worker.js';
export { defaultSleep as abortableSleep } from './http/sleep.js';
export { classifyConversionStatus } from './conversion.js';
export { runAuthSetup, type AuthSetupOptions, type AuthSetupResult } from './auth/setup-flow.js';
export { grinAuthMain, type CliIo } from './cli/grin-auth-main.js';
