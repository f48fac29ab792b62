import { createReadStream } from 'node:fs';
import { itemError } from './teardown-errors.js';
import type { TeardownItem, TeardownItemName, TeardownStorage } from './teardown-types.js';

/** One meta object to store: its name under `{meta}/RUN/` and where its bytes come from. */
export interface MetaUpload {
  item: TeardownItemName;
  name: string;
  /** A file (read afresh for each upload) or bytes. */
  source: { file: string } | { bytes: Buffer };
  meta?: Record<string, string>;
}

/** Stores one object in the meta area; failures become a failed item (never thrown). */
export async function uploadMeta(storage: TeardownStorage, upload: MetaUpload, signal?: AbortSignal): Promise<TeardownItem> {
  if (signal?.aborted) return abortedItem(upload.item);
  try {
    const body = 'file' in upload.source ? createReadStream(upload.source.file) : upload.source.bytes;
    const stored = await storage.putMeta(upload.name, body, upload.meta ?? {});
    return { name: upload.item, ok: true, location: stored.location, bytes: stored.size };
  } catch (error) {
    return { name: upload.item, ok: false, error: itemError(error) };
  }
}

/** Several uploads at once (e.g. `latest` and `timestamped`), reported in the given order. */
export function uploadAll(storage: TeardownStorage, uploads: readonly MetaUpload[], signal?: AbortSignal): Promise<TeardownItem[]> {
  return Promise.all(uploads.map((u) => uploadMeta(storage, u, signal)));
}

/** An item not run because the hard stop came first. */
export function abortedItem(name: TeardownItemName): TeardownItem {
  return { name, ok: false, error: { code: 'aborted', message: 'stopped before this step (second Ctrl-C)' } };
}

/** An item not run because the step it depends on failed. */
export function notAttempted(name: TeardownItemName, because: TeardownItemName): TeardownItem {
  return { name, ok: false, error: { code: 'not_attempted', message: `not attempted: ${because} failed` } };
}
