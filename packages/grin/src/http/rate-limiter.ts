export interface TokenBucketOptions {
  /** Sustained rate in tokens per second; `Infinity` disables limiting. */
  ratePerSecond: number;
  /** Bucket capacity (burst). Default: max(1, ratePerSecond). */
  capacity?: number;
  clock: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Token bucket on an injected clock. Callers reserve a token immediately (the balance may go
 * negative) and sleep for the time the reservation needs, so concurrent callers are served in
 * arrival order and never exceed the rate, without a polling loop.
 */
export class TokenBucket {
  private readonly rate: number;
  private readonly capacity: number;
  private readonly clock: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private tokens: number;
  private last: number;

  constructor(options: TokenBucketOptions) {
    if (!(options.ratePerSecond > 0)) throw new RangeError('ratePerSecond must be > 0');
    this.rate = options.ratePerSecond;
    this.capacity = options.capacity ?? Math.max(1, Number.isFinite(this.rate) ? this.rate : 1);
    if (!(this.capacity >= 1)) throw new RangeError('capacity must be >= 1');
    this.clock = options.clock;
    this.sleep = options.sleep;
    this.tokens = this.capacity;
    this.last = this.clock();
  }

  /** Takes a token now and returns how long (ms) the caller must wait before using it. */
  reserve(): number {
    if (!Number.isFinite(this.rate)) return 0;
    const now = this.clock();
    const elapsed = Math.max(0, now - this.last);
    this.last = now;
    this.tokens = Math.min(this.capacity, this.tokens + (elapsed * this.rate) / 1000);
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.rate) * 1000);
  }

  /** Waits until a token is available. Returns the time waited (ms). */
  async acquire(signal?: AbortSignal): Promise<number> {
    const wait = this.reserve();
    if (wait > 0) {
      try {
        await this.sleep(wait, signal);
      } catch (error) {
        // The reservation was not used: give it back so later callers are not delayed for it.
        this.tokens += 1;
        throw error;
      }
    }
    return wait;
  }
}
