import type { ListingRow } from '../types.js';
import type { ParsedListing } from './listing-parser.js';
import type { ListingParseEngine, PageParseSession } from './parse-engine.js';
import { workerError } from './worker-error.js';
import { ParseWorkerThread } from './parse-worker-thread.js';

/** Bytes gathered before one postMessage (fewer, larger messages are cheaper). */
const BATCH_BYTES = 256 * 1024;

/**
 * Parses pages in the shared worker thread from bytes the main thread reads and forwards
 * (used when the worker cannot fetch itself, e.g. with an injected dispatcher).
 */
export class WorkerParseEngine implements ListingParseEngine {
  constructor(readonly thread: ParseWorkerThread = new ParseWorkerThread()) {}

  start(): PageParseSession {
    const rows: ListingRow[] = [];
    let resolve!: (result: ParsedListing) => void;
    let reject!: (error: Error) => void;
    const result = new Promise<ParsedListing>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    result.catch(() => undefined); // reported through end()
    const id = this.thread.open((message) => {
      if (message.t === 'rows') {
        for (const row of JSON.parse(message.json) as ListingRow[]) rows.push(row);
      } else if (message.t === 'done') {
        this.thread.finish(id);
        const parsed = JSON.parse(message.json) as ParsedListing;
        for (const row of parsed.rows) rows.push(row);
        resolve({ ...parsed, rows });
      } else if (message.t === 'error') {
        this.thread.finish(id);
        reject(workerError(message));
      }
    }, reject);
    let batch: Uint8Array[] = [];
    let batchBytes = 0;
    let finished = false;
    const flush = (): void => {
      if (batchBytes === 0) return;
      const buf = new Uint8Array(batchBytes);
      let offset = 0;
      for (const part of batch) {
        buf.set(part, offset);
        offset += part.byteLength;
      }
      batch = [];
      batchBytes = 0;
      this.thread.post({ t: 'chunk', id, buf: buf.buffer }, [buf.buffer]);
    };
    this.thread.post({ t: 'start', id });
    return {
      write: (bytes) => {
        // Copy: undici's chunks may share a pooled ArrayBuffer, which must not be transferred.
        batch.push(bytes.slice());
        batchBytes += bytes.byteLength;
        if (batchBytes >= BATCH_BYTES) flush();
      },
      end: () => {
        finished = true;
        flush();
        this.thread.await(id);
        this.thread.post({ t: 'end', id });
        return result;
      },
      abort: () => {
        if (finished) return;
        finished = true;
        batch = [];
        this.thread.finish(id);
        this.thread.post({ t: 'abort', id });
      },
    };
  }

  close(): Promise<void> {
    return this.thread.close();
  }
}
