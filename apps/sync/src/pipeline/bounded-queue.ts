/** Returned by `take()` once the queue is closed and empty. */
export const QUEUE_END: unique symbol = Symbol('queue end');

interface Waiter<T> {
  resolve: (value: T) => void;
}

/**
 * A FIFO of at most `capacity` items between two pipeline stages. `put` waits while the queue is
 * full (back-pressure on the producer), `take` waits while it is empty. `close()` ends the queue:
 * takers drain what is left and then get QUEUE_END; a put on a closed queue returns false (the
 * item was not accepted). `clear()` drops the waiting items (graceful stop).
 */
export class BoundedQueue<T> {
  private readonly items: T[] = [];
  private readonly takers: Waiter<T | typeof QUEUE_END>[] = [];
  private readonly putters: Waiter<boolean>[] = [];
  private closed = false;
  /** Highest depth ever reached (for tests and diagnostics). */
  maxDepth = 0;

  constructor(readonly capacity: number) {
    if (!(Number.isInteger(capacity) && capacity >= 1)) throw new RangeError('queue capacity must be an integer >= 1');
  }

  /** Items waiting in the queue. */
  get depth(): number {
    return this.items.length;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Adds an item, waiting while the queue is full; false if the queue is (or gets) closed. */
  async put(item: T): Promise<boolean> {
    while (!this.closed && this.items.length >= this.capacity && this.takers.length === 0) {
      const accepted = await new Promise<boolean>((resolve) => this.putters.push({ resolve }));
      if (!accepted) return false;
    }
    if (this.closed) return false;
    const taker = this.takers.shift();
    if (taker !== undefined) {
      taker.resolve(item);
      return true;
    }
    this.items.push(item);
    if (this.items.length > this.maxDepth) this.maxDepth = this.items.length;
    return true;
  }

  /** The next item, waiting while the queue is empty; QUEUE_END once closed and drained. */
  take(): Promise<T | typeof QUEUE_END> {
    if (this.items.length > 0) {
      const item = this.items.shift() as T;
      this.putters.shift()?.resolve(true);
      return Promise.resolve(item);
    }
    if (this.closed) return Promise.resolve(QUEUE_END);
    return new Promise((resolve) => this.takers.push({ resolve }));
  }

  /** No more items will be put; waiting putters get false, takers drain the rest. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.putters.splice(0)) p.resolve(false);
    if (this.items.length === 0) for (const t of this.takers.splice(0)) t.resolve(QUEUE_END);
  }

  /** Removes and returns every waiting item. */
  clear(): T[] {
    const dropped = this.items.splice(0);
    for (const p of this.putters.splice(0)) p.resolve(!this.closed);
    if (this.closed) for (const t of this.takers.splice(0)) t.resolve(QUEUE_END);
    return dropped;
  }
}
