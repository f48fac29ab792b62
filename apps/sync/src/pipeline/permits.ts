/**
 * A counting semaphore with FIFO waiters and abortable acquisition. Holds the GRIN download
 * limit: a permit is taken before a GET and given back when its body is closed.
 */
export class Permits {
  private available: number;
  private readonly waiters: { grant: () => void; reject: (err: unknown) => void }[] = [];

  /** `onChange` is told the number of permits in use after every change. */
  constructor(
    readonly limit: number,
    private readonly onChange: (inUse: number) => void = () => {},
  ) {
    if (!(Number.isInteger(limit) && limit >= 1)) throw new RangeError('permit limit must be an integer >= 1');
    this.available = limit;
  }

  get inUse(): number {
    return this.limit - this.available;
  }

  /** Resolves with an idempotent release function. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.available > 0) {
      this.available--;
      this.onChange(this.inUse);
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(this.releaser());
        },
        reject,
      };
      const onAbort = (): void => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next !== undefined) next.grant();
      else this.available++;
      this.onChange(this.inUse);
    };
  }
}
