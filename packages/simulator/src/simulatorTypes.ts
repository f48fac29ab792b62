import type { FaultKind, FaultRule, SimulatorEndpoint } from './faults/faultTypes.js';
import type { SimulatedBook, SimulatedLibrary } from './types.js';

export interface SimulatorOptions {
  /** Default 2000; up to 100,000,000 (the library is never materialised). */
  books?: number;
  /** Default 1; everything (books, archives' plaintext, fault dice) is deterministic from it. */
  seed?: number;
  /** Default 'Simulated'. */
  libraryDirectory?: string;
  /** Default 127.0.0.1 and 0. */
  host?: string;
  port?: number;
  /** Default 'first'. `first=` requests are accepted in both styles. */
  nextLinkStyle?: 'first' | 'ctoken';
  /** How the Next/Prev hrefs are written; default 'absolute-path'. */
  nextLinkHref?: 'absolute-path' | 'relative' | 'absolute-url';
  /** 'short': Scanned, Status, OCR'd ... ; 'long': Scanned Date, State, OCR'd Date ... Default 'short'. */
  headerVariant?: 'short' | 'long';
  /** Default 'simulated grin passphrase'. */
  passphrase?: string;
  /** Archive cache; default a temp dir removed on close(). A given dir is kept and reused. */
  cacheDir?: string;
  /** Approximate size of the plaintext .tar.gz; default 48 KiB. */
  archiveBytes?: number | ((book: SimulatedBook) => number);
  /** Fraction of books (seeded) encrypted with legacy CAST5 instead of AES256; default 0. */
  legacyCipherFraction?: number;
  /** Access-token lifetime; default 3600. */
  tokenLifetimeSeconds?: number;
  /** `_process` -> in process -> converted after this delay on the injected clock; default 60000. */
  conversionDelayMs?: number;
  /** Max books in process; `_process` answers 429 beyond it. Default 50000. */
  queueLimit?: number;
  /** ctoken links older than this are rejected with 400; default never. */
  cursorLifetimeMs?: number;
  /** Added before every HTML listing page; default 0. */
  pageLatencyMs?: number;
  faults?: FaultRule[];
  /** Epoch ms; default Date.now. Drives token expiry, conversion delay, cursor expiry. */
  clock?: () => number;
  /** Real-time waits (latency faults, throttling, page latency); default setTimeout-based. */
  sleep?: (ms: number) => Promise<void>;
  /** How an invalid/expired bearer token is answered; default 'status-401'. */
  unauthorizedStyle?: 'status-401' | 'login-redirect';
  /** Archives generated concurrently at most; default 2. */
  archiveConcurrency?: number;
}

export interface ListingPageServed {
  list: string;
  /** Offset of the first row. */
  first: number;
  /** True when the request carried a ctoken. */
  ctoken: boolean;
  /** 1-based: floor(first / pageSize) + 1. */
  pageNumber: number;
  pageSize: number;
  rows: number;
  status: number;
}

export interface SimulatorStats {
  /** Requests by endpoint ('other' for unknown paths). */
  requests: Record<string, number>;
  /** Responses by status code. */
  statuses: Record<string, number>;
  /** Responses by endpoint then status. */
  endpointStatuses: Record<string, Record<string, number>>;
  /** Access tokens issued by the token endpoint (any grant). */
  tokensIssued: number;
  refreshGrants: number;
  authorizationCodeGrants: number;
  /** Requests answered 401 (or login redirect) for a missing/expired/unknown bearer token. */
  unauthorized: number;
  /** HTML listing pages in the order served (bounded to the last 100k). */
  listingPages: ListingPageServed[];
  faultsApplied: Partial<Record<FaultKind, number>>;
  conversionsRequested: number;
  archivesGenerated: number;
  archiveBytesServed: number;
}

export interface LoggedRequest {
  seq: number;
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  endpoint: SimulatorEndpoint | 'other';
  barcode?: string;
  faults: FaultKind[];
  /** True when the response did not complete (reset, truncated, client went away). */
  aborted: boolean;
}

export interface WriteCredentialsOptions {
  /** Also store a currently valid access token and its expiry. */
  withAccessToken?: boolean;
}

export interface RunningSimulator {
  /** 'http://127.0.0.1:PORT' */
  url: string;
  /** `${url}/libraries/` */
  grinBaseUrl: string;
  libraryDirectory: string;
  /** `${url}/o/oauth2/auth`: auto-approves, 302 to redirect_uri?code=..&state=.. */
  authUrl: string;
  /** `${url}/token`: POST form, grant_type=authorization_code|refresh_token */
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** A valid refresh token (deterministic from the seed, so it survives restarts). */
  refreshToken: string;
  passphrase: string;
  cacheDir: string;
  library: SimulatedLibrary;
  /** Writes client_secret.json, credentials.json and gpg_passphrase.asc (all 0600). */
  writeCredentials(dir: string, opts?: WriteCredentialsOptions): Promise<void>;
  /** Replaces the fault rules (counters start afresh). */
  setFaults(rules: FaultRule[]): void;
  stats(): SimulatorStats;
  /** Bounded ring of the last 100k requests, oldest first. */
  requestLog(): readonly LoggedRequest[];
  /** Issues a fresh access token (not counted in stats). */
  issueAccessToken(): { accessToken: string; expiresAt: number };
  /** Re-encrypts the archive -> new bytes and ETag, same plaintext. */
  replaceArchive(barcode: string): Promise<void>;
  close(): Promise<void>;
}
