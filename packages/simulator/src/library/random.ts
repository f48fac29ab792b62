/** murmur3 fmix32: a cheap, well-mixing 32-bit hash step. */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Hash of (key, a, b) -> uint32. Used to derive every per-book value from (seed, index). */
export function hash3(key: number, a: number, b = 0): number {
  return mix32(mix32(key ^ Math.imul(a | 0, 0x9e3779b1)) ^ Math.imul((b | 0) + 0x632be5ab, 0x85ebca77));
}

/** Turns any number (also > 2^32 or fractional) into a 32-bit seed key. */
export function seedKey(seed: number): number {
  const hi = Math.floor(seed / 4294967296) >>> 0;
  const lo = Math.trunc(seed) >>> 0;
  return mix32(mix32(lo ^ 0x5bd1e995) ^ hi);
}

/** Hashes a string to uint32 (FNV-1a followed by a mix). */
export function hashString(s: string, key = 0): number {
  let h = 0x811c9dc5 ^ key;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

/** mulberry32: tiny deterministic PRNG; reseedable so hot loops allocate nothing. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed | 0;
  }

  reseed(seed: number): this {
    this.state = seed | 0;
    return this;
  }

  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** [0, 1) */
  float(): number {
    return this.next() / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** Integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
}
