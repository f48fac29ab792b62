import { mix32 } from './random.js';

/**
 * A keyed bijection on [0, domain): balanced Feistel network over 2*halfBits bits with cycle
 * walking. Lets barcodes look random while index <-> barcode stays O(1) both ways.
 */
export class FeistelPermutation {
  private readonly keys: number[];
  private readonly half: number;
  private readonly mask: number;

  constructor(
    key: number,
    halfBits: number,
    private readonly domain: number,
    rounds = 4,
  ) {
    if (halfBits > 16 || domain > 2 ** (2 * halfBits)) throw new RangeError('domain does not fit');
    this.half = 2 ** halfBits;
    this.mask = this.half - 1;
    this.keys = Array.from({ length: rounds }, (_, i) => mix32(key + Math.imul(i + 1, 0x27d4eb2d)));
  }

  encrypt(x: number): number {
    let y = this.round(x, true);
    while (y >= this.domain) y = this.round(y, true);
    return y;
  }

  decrypt(y: number): number {
    let x = this.round(y, false);
    while (x >= this.domain) x = this.round(x, false);
    return x;
  }

  private round(value: number, forward: boolean): number {
    let l = Math.floor(value / this.half);
    let r = value & this.mask;
    const n = this.keys.length;
    for (let i = 0; i < n; i++) {
      const k = this.keys[forward ? i : n - 1 - i] as number;
      if (forward) {
        const nl = r;
        r = (l ^ mix32(r ^ k)) & this.mask;
        l = nl;
      } else {
        const nr = l;
        l = (r ^ mix32(l ^ k)) & this.mask;
        r = nr;
      }
    }
    return l * this.half + r;
  }
}
