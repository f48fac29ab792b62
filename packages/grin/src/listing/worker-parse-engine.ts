import type { ListingParseEngine, PageParseSession } from './parse-engine.js';
import { PageRows, type ParsedPage, type RowFormat } from './page-rows.js';
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

  start(format: RowFormat): PageParseSession {
    const rows = new PageRows(format);
    let resolve!: (result: ParsedPage) => void;
    let reject!: (error: Error) => void;
    const result = new Promise<ParsedPage>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    result.catch(() => undefined); // reported through end()
    const id = this.thread.open((message) => {
      if (message.t === 'rows') {
        rows.addPacked(message.packed);
      } else if (message.t === 'done') {
        this.thread.finish(id);
        rows.addPacked(message.packed);
        resolve({ ...message.page, rows });
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
