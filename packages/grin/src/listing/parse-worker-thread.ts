import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../start-module-worker.js';
import type { FromParseWorker, ToParseWorker } from './parse-worker-protocol.js';

interface Conversation {
  onMessage: (message: FromParseWorker) => void;
  onFailure: (error: Error) => void;
}

/**
 * The shared listing worker thread: started lazily, message routing by conversation id,
 * ref'd only while the main thread awaits an answer (so an idle worker never keeps the
 * process alive), terminated by {@link close}.
 */
export class ParseWorkerThread {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly conversations = new Map<number, Conversation>();
  private readonly awaited = new Set<number>();
  private closed = false;

  /** Opens a conversation; returns its id. */
  open(onMessage: Conversation['onMessage'], onFailure: Conversation['onFailure']): number {
    if (this.closed) throw new Error('listing parse engine closed');
    this.ensureWorker();
    const id = this.nextId++;
    this.conversations.set(id, { onMessage, onFailure });
    return id;
  }

  post(message: ToParseWorker, transfer?: ArrayBuffer[]): void {
    this.worker?.postMessage(message, transfer);
  }

  /** The main thread now waits for this conversation: keep the process alive. */
  await(id: number): void {
    this.awaited.add(id);
    this.updateRef();
  }

  /** Ends a conversation (no further messages are delivered). */
  finish(id: number): void {
    this.conversations.delete(id);
    this.awaited.delete(id);
    this.updateRef();
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = null;
    this.failAll(new Error('listing parse engine closed'));
    if (worker) await worker.terminate();
  }

  private ensureWorker(): void {
    if (this.worker) return;
    const worker = spawnParseWorker();
    worker.on('message', (message: FromParseWorker) => this.conversations.get(message.id)?.onMessage(message));
    worker.on('error', (error) => {
      if (this.worker === worker) this.worker = null;
      this.failAll(error);
    });
    worker.on('exit', (code) => {
      if (this.worker !== worker) return;
      this.worker = null;
      this.failAll(new Error(`listing parse worker exited with code ${code}`));
    });
    worker.unref();
    this.worker = worker;
  }

  private failAll(error: Error): void {
    const conversations = [...this.conversations.values()];
    this.conversations.clear();
    this.awaited.clear();
    for (const c of conversations) c.onFailure(error);
  }

  private updateRef(): void {
    if (!this.worker) return;
    if (this.awaited.size > 0) this.worker.ref();
    else this.worker.unref();
  }
}

function spawnParseWorker(): Worker {
  return startModuleWorker(import.meta.url, 'parse-worker');
}
