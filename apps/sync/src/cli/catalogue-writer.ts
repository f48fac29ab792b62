import type { Catalogue, StatusBatchWriter, WriterTimers } from '@grin/books';
import type { CatalogueEvents, Checkpoint } from '../stages/sync-context.js';

/**
 * The run's batched status writer. With the crash tests' hook set, its timer-driven flush is a
 * checkpoint ("killed during the flush") and `synced` events are counted so the hook only fires
 * for flushes that carry them; `pendingFlush()` fires it for the final flush too.
 */
export function catalogueWriter(
  cat: Catalogue,
  sessionId: number,
  checkpoint: ((point: Checkpoint, barcode: string) => void) | undefined,
  log: (line: string) => void,
): { writer: StatusBatchWriter; events: CatalogueEvents; pendingFlush: () => void } {
  let syncedPending = 0;
  const timers: WriterTimers | undefined =
    checkpoint === undefined
      ? undefined
      : {
          setTimeout: (cb, ms) => {
            const h = setTimeout(() => {
              if (syncedPending > 0) checkpoint('flush', '');
              syncedPending = 0;
              cb();
            }, ms);
            h.unref();
            return h;
          },
          clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
        };
  const writer = cat.createStatusWriter({
    sessionId,
    ...(timers === undefined ? {} : { timers }),
    onError: (e) => log(`catalogue: commit failed, will retry: ${(e as Error).message}`),
  });
  const events: CatalogueEvents =
    checkpoint === undefined
      ? writer
      : Object.assign(Object.create(writer) as CatalogueEvents, {
          synced: (...args: Parameters<CatalogueEvents['synced']>) => {
            syncedPending++;
            writer.synced(...args);
          },
        });
  return {
    writer,
    events,
    pendingFlush: () => {
      if (syncedPending > 0) checkpoint?.('flush', '');
    },
  };
}
