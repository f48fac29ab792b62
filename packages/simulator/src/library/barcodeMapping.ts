import { FeistelPermutation } from './feistelPermutation.js';
import { hash3 } from './random.js';

const NUMERIC_PREFIX = '32044';
const NUMERIC_DOMAIN = 100_000_000; // 8 payload digits, then a check digit -> 14 digits in all
const ALNUM_PREFIX = 'HN';
const ALNUM_CHARS = 6;
const ALNUM_DOMAIN = 36 ** ALNUM_CHARS;
const FAMILY_SALT = 0xba7c0de;
/** Per mille of volumes with an alphanumeric barcode. */
const ALNUM_PER_MILLE = 80;

/** Largest library the mapping supports. */
export const MAX_LIBRARY_SIZE = NUMERIC_DOMAIN;

const NUMERIC_RE = /^32044\d{9}$/;
const ALNUM_RE = /^HN[0-9A-Z]{6}$/;

/** Luhn (mod 10) check digit, as library barcode schemes use. */
export function luhnCheckDigit(digits: string): number {
  let sum = 0;
  let double = true;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return (10 - (sum % 10)) % 10;
}

/** Luhn check digit of `32044` + the 8-digit payload, computed arithmetically (hot path). */
function luhnOfNumeric(payload: number): number {
  // Digits of the 13-digit body right to left: payload digits first (doubled from the rightmost).
  let sum = PREFIX_LUHN_SUM;
  let n = payload;
  for (let i = 0; i < 8; i++) {
    let d = n % 10;
    n = (n - d) / 10;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/** Luhn contribution of the prefix digits, which sit at positions 9..13 from the right. */
const PREFIX_LUHN_SUM = ((): number => {
  let sum = 0;
  for (let i = 0; i < NUMERIC_PREFIX.length; i++) {
    const positionFromRight = 8 + (NUMERIC_PREFIX.length - 1 - i);
    let d = NUMERIC_PREFIX.charCodeAt(i) - 48;
    if (positionFromRight % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum;
})();

/**
 * Invertible index <-> barcode mapping: most volumes get a 14-digit `32044` + 8 digits + Luhn
 * check digit barcode, a seeded ~8% an alphanumeric `HN` + 6 base-36 characters one.
 */
export class BarcodeMapping {
  private readonly numeric: FeistelPermutation;
  private readonly alnum: FeistelPermutation;

  constructor(
    private readonly key: number,
    readonly size: number,
  ) {
    if (!Number.isInteger(size) || size < 0 || size > MAX_LIBRARY_SIZE) {
      throw new RangeError(`library size must be an integer in 0..${MAX_LIBRARY_SIZE}`);
    }
    this.numeric = new FeistelPermutation(key ^ 0x1234567, 14, NUMERIC_DOMAIN);
    this.alnum = new FeistelPermutation(key ^ 0x7654321, 16, ALNUM_DOMAIN);
  }

  isAlphanumeric(index: number): boolean {
    return hash3(this.key, index, FAMILY_SALT) % 1000 < ALNUM_PER_MILLE;
  }

  barcodeOf(index: number): string {
    if (this.isAlphanumeric(index)) {
      return ALNUM_PREFIX + this.alnum.encrypt(index).toString(36).toUpperCase().padStart(ALNUM_CHARS, '0');
    }
    const payload = this.numeric.encrypt(index);
    return NUMERIC_PREFIX + String(100_000_000 + payload).slice(1) + String(luhnOfNumeric(payload));
  }

  /** The index of a barcode of this library, or undefined. */
  indexOf(barcode: string): number | undefined {
    let index: number;
    let alnum: boolean;
    if (NUMERIC_RE.test(barcode)) {
      const body = barcode.slice(0, 13);
      if (luhnCheckDigit(body) !== barcode.charCodeAt(13) - 48) return undefined;
      index = this.numeric.decrypt(Number(body.slice(NUMERIC_PREFIX.length)));
      alnum = false;
    } else if (ALNUM_RE.test(barcode)) {
      index = this.alnum.decrypt(parseInt(barcode.slice(ALNUM_PREFIX.length), 36));
      alnum = true;
    } else {
      return undefined;
    }
    if (index >= this.size || this.isAlphanumeric(index) !== alnum) return undefined;
    return index;
  }
}
