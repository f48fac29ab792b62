/** OpenPGP symmetric cipher ids (RFC 4880 9.2) → names as gpg prints them. */
const CIPHER_NAMES: Record<number, string> = {
  1: 'IDEA',
  2: '3DES',
  3: 'CAST5',
  4: 'BLOWFISH',
  7: 'AES128',
  8: 'AES192',
  9: 'AES256',
  10: 'TWOFISH',
  11: 'CAMELLIA128',
  12: 'CAMELLIA192',
  13: 'CAMELLIA256',
};

/** 64-bit-block ciphers: what GnuPG 1.x used without an integrity packet. */
const LEGACY_CIPHERS = new Set([1, 2, 3, 4]);

export function cipherName(id: number | null): string {
  if (id === null) return 'unknown';
  return CIPHER_NAMES[id] ?? `cipher-${id}`;
}

export function isLegacyCipher(id: number | null): boolean {
  return id !== null && LEGACY_CIPHERS.has(id);
}

/** What gpg said on its --status-fd, reduced to the facts the decryptor decides on. */
export interface GpgStatus {
  decryptionOkay: boolean;
  decryptionFailed: boolean;
  goodMdc: boolean;
  badMdc: boolean;
  badPassphrase: boolean;
  noData: boolean;
  noSecretKey: boolean;
  legacyRefused: boolean;
  /** DECRYPTION_INFO: 0 = no MDC, 2 = SHA-1 MDC. */
  mdcMethod: number | null;
  cipherAlgo: number | null;
  /** DECRYPTION_INFO third field: AEAD algorithm, 0 = none. */
  aeadAlgo: number | null;
  /** Raw `ERROR` / `FAILURE` lines, for diagnostics. */
  errors: string[];
}

/** Incremental parser of `[GNUPG:] KEYWORD args…` lines. */
export class GpgStatusParser {
  readonly status: GpgStatus = {
    decryptionOkay: false,
    decryptionFailed: false,
    goodMdc: false,
    badMdc: false,
    badPassphrase: false,
    noData: false,
    noSecretKey: false,
    legacyRefused: false,
    mdcMethod: null,
    cipherAlgo: null,
    aeadAlgo: null,
    errors: [],
  };
  private partial = '';

  push(chunk: Buffer | string): void {
    const text = this.partial + chunk.toString('latin1');
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.line(line);
  }

  end(): GpgStatus {
    if (this.partial !== '') this.line(this.partial);
    this.partial = '';
    return this.status;
  }

  private line(raw: string): void {
    const line = raw.replace(/\r$/, '');
    if (!line.startsWith('[GNUPG:] ')) return;
    const [keyword, ...args] = line.slice(9).split(' ');
    const s = this.status;
    switch (keyword) {
      case 'DECRYPTION_OKAY':
        s.decryptionOkay = true;
        break;
      case 'DECRYPTION_FAILED':
        s.decryptionFailed = true;
        break;
      case 'GOODMDC':
        s.goodMdc = true;
        break;
      case 'BADMDC':
        s.badMdc = true;
        break;
      case 'BAD_PASSPHRASE':
      case 'MISSING_PASSPHRASE':
        s.badPassphrase = true;
        break;
      case 'NODATA':
        s.noData = true;
        break;
      case 'NO_SECKEY':
        s.noSecretKey = true;
        break;
      case 'DECRYPTION_INFO':
        s.mdcMethod = toInt(args[0]);
        s.cipherAlgo = toInt(args[1]);
        s.aeadAlgo = toInt(args[2]) ?? 0;
        break;
      case 'ERROR':
      case 'FAILURE':
        s.errors.push(line.slice(9));
        if (keyword === 'ERROR' && args[0] === 'nomdc_with_legacy_cipher') s.legacyRefused = true;
        // Symmetric messages report a wrong passphrase as "symkey_decrypt.maybe_error 11_BAD_PASSPHRASE".
        if (keyword === 'ERROR' && args[1]?.endsWith('_BAD_PASSPHRASE') === true) s.badPassphrase = true;
        break;
      default:
        break;
    }
  }
}

function toInt(v: string | undefined): number | null {
  if (v === undefined || !/^\d+$/.test(v)) return null;
  return Number(v);
}
