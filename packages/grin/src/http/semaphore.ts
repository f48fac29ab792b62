import { abortReason } from './sleep.js';

/**
 * Counting semaphore with FIFO waiters and abortable acquisition: the client's per-host request
 * slots, and the sync's GRIN download limit (a permit taken before a GET, given back when its body
 * is closed).
 */
export class Semaphore {
  private available: number;
  private readonly waiters: Array<{ grant: () => void; reject: (e: unknown) => void }> = [];

  /** `onChange` is told the number of permits in use after every acquire and release. */
  constructor(
    readonly size: number,
    private readonly onChange: (inUse: number) => void = () => {},
  ) {
    if (!(size >= 1)) throw new RangeError('semaphore size must be >= 1');
    this.available = size;
  }

  get inUse(): number {
    return this.size - this.available;
  }

  /** Resolves with a release function; call it exactly once (extra calls are ignored). */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.available > 0) {
      this.available -= 1;
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
        reject(abortReason(signal as AbortSignal));
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
      if (next) next.grant();
      else this.available += 1;
      this.onChange(this.inUse);
    };
  }
}
