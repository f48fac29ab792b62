import { SimulatorError } from './errors.js';
import type { FaultRule } from './faults/faultTypes.js';
import { MAX_LIBRARY_SIZE } from './library/barcodeMapping.js';
import type { SimulatorOptions } from './simulatorTypes.js';
import type { SimulatedBook } from './types.js';

export interface ResolvedOptions {
  books: number;
  seed: number;
  libraryDirectory: string;
  host: string;
  port: number;
  nextLinkStyle: 'first' | 'ctoken';
  nextLinkHref: 'absolute-path' | 'relative' | 'absolute-url';
  headerVariant: 'short' | 'long';
  passphrase: string;
  cacheDir: string | undefined;
  archiveBytes: number | ((book: SimulatedBook) => number);
  legacyCipherFraction: number;
  tokenLifetimeSeconds: number;
  conversionDelayMs: number;
  queueLimit: number;
  cursorLifetimeMs: number | undefined;
  pageLatencyMs: number;
  faults: FaultRule[];
  clock: () => number;
  sleep: (ms: number) => Promise<void>;
  unauthorizedStyle: 'status-401' | 'login-redirect';
  archiveConcurrency: number;
}

export const DEFAULT_ARCHIVE_BYTES = 48 * 1024;

function invalid(message: string, hint = ''): SimulatorError {
  return new SimulatorError('INVALID_OPTION', message, { hint });
}

function count(name: string, value: number | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < min) throw invalid(`${name} must be a number >= ${min}, got ${value}`);
  return value;
}

function oneOf<T extends string>(name: string, value: T | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value)) throw invalid(`${name} must be one of ${allowed.join(', ')}, got ${String(value)}`);
  return value;
}

/** Defaults and validation of SimulatorOptions (bad values fail fast with INVALID_OPTION). */
export function resolveOptions(options: SimulatorOptions): ResolvedOptions {
  const books = count('books', options.books, 2000);
  if (!Number.isInteger(books) || books > MAX_LIBRARY_SIZE) throw invalid(`books must be an integer in 0..${MAX_LIBRARY_SIZE}`);
  const libraryDirectory = options.libraryDirectory ?? 'Simulated';
  if (!/^[A-Za-z0-9_-]+$/.test(libraryDirectory)) throw invalid(`libraryDirectory must match [A-Za-z0-9_-]+, got ${libraryDirectory}`);
  const passphrase = options.passphrase ?? 'simulated grin passphrase';
  if (passphrase === '' || /[\r\n]/.test(passphrase)) throw invalid('passphrase must be one non-empty line');
  const archiveBytes = options.archiveBytes ?? DEFAULT_ARCHIVE_BYTES;
  if (typeof archiveBytes === 'number') count('archiveBytes', archiveBytes, 0, 1);
  const fraction = count('legacyCipherFraction', options.legacyCipherFraction, 0);
  if (fraction > 1) throw invalid('legacyCipherFraction must be in 0..1');
  const port = count('port', options.port, 0);
  if (!Number.isInteger(port) || port > 65535) throw invalid(`port must be an integer in 0..65535, got ${port}`);
  return {
    books,
    seed: count('seed', options.seed, 1, -Infinity),
    libraryDirectory,
    host: options.host ?? '127.0.0.1',
    port,
    nextLinkStyle: oneOf('nextLinkStyle', options.nextLinkStyle, ['first', 'ctoken'], 'first'),
    nextLinkHref: oneOf('nextLinkHref', options.nextLinkHref, ['absolute-path', 'relative', 'absolute-url'], 'absolute-path'),
    headerVariant: oneOf('headerVariant', options.headerVariant, ['short', 'long'], 'short'),
    passphrase,
    cacheDir: options.cacheDir,
    archiveBytes,
    legacyCipherFraction: fraction,
    tokenLifetimeSeconds: count('tokenLifetimeSeconds', options.tokenLifetimeSeconds, 3600),
    conversionDelayMs: count('conversionDelayMs', options.conversionDelayMs, 60_000),
    queueLimit: count('queueLimit', options.queueLimit, 50_000),
    cursorLifetimeMs: options.cursorLifetimeMs === undefined ? undefined : count('cursorLifetimeMs', options.cursorLifetimeMs, 0),
    pageLatencyMs: count('pageLatencyMs', options.pageLatencyMs, 0),
    faults: options.faults ?? [],
    clock: options.clock ?? Date.now,
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    unauthorizedStyle: oneOf('unauthorizedStyle', options.unauthorizedStyle, ['status-401', 'login-redirect'], 'status-401'),
    archiveConcurrency: Math.max(1, Math.floor(count('archiveConcurrency', options.archiveConcurrency, 2, 1))),
  };
}
