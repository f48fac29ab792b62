import { SyncError } from './sync-errors.js';
import type { CatalogueEvents } from './sync-context.js';

const METHODS = [
  'checked',
  'skipped',
  'checkFailed',
  'downloaded',
  'downloadFailed',
  'decrypted',
  'decryptFailed',
  'stored',
  'storeFailed',
  'failed',
  'synced',
] as const satisfies readonly (keyof CatalogueEvents)[];

/**
 * Wraps the catalogue writer so that a failing commit (a full batch commits inside `record`)
 * surfaces as one non-retryable `catalogue_write_failed` error, which stops the run: a sync that
 * cannot record what it did must not go on.
 */
export function guardedEvents(inner: CatalogueEvents): CatalogueEvents {
  const out = {} as Record<string, unknown>;
  for (const name of METHODS) {
    const fn = inner[name] as (...args: unknown[]) => void;
    out[name] = (...args: unknown[]): void => {
      try {
        fn.apply(inner, args);
      } catch (error) {
        throw new SyncError('catalogue_write_failed', `cannot record ${name} in the catalogue: ${(error as Error).message}`, {
          hint: 'check free disk space and that books.db is writable; rerun to resume (nothing is lost: storage is the truth)',
          retryable: false,
          cause: error,
        });
      }
    };
  }
  return out as unknown as CatalogueEvents;
}
