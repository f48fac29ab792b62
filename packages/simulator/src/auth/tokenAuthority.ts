import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const GRIN_SCOPES = [
  'openid',
  'https://www.googleapis.com/auth/userinfo.email',
  'https://www.googleapis.com/auth/userinfo.profile',
] as const;

const CODE_LIFETIME_MS = 10 * 60_000;
const MAC_BYTES = 16;

export interface CodeGrant {
  redirectUri: string;
  scope: string;
  challenge?: string | undefined;
  challengeMethod?: 'S256' | 'plain' | undefined;
  expiresAt: number;
}

export type TokenCheck = 'ok' | 'expired' | 'invalid';

/**
 * Issues and verifies OAuth tokens. Access and refresh tokens are stateless and HMAC-signed
 * with a key derived from the seed, so a restarted simulator with the same seed still accepts
 * the credentials it wrote before; authorization codes are single-use and kept in memory.
 */
export class TokenAuthority {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Deterministic from the seed. */
  readonly refreshToken: string;
  private readonly codes = new Map<string, CodeGrant>();

  constructor(
    private readonly secret: Buffer,
    private readonly clock: () => number,
    readonly lifetimeSeconds: number,
  ) {
    const derive = (label: string): Buffer => createHmac('sha256', secret).update(label).digest();
    this.clientId = `${derive('client-id').readUInt32BE(0)}-simulated.apps.googleusercontent.com`;
    this.clientSecret = `GOCSPX-${derive('client-secret').toString('base64url').slice(0, 28)}`;
    this.refreshToken = this.signRefresh(derive('refresh-token').subarray(0, 12));
  }

  issueAccessToken(): { accessToken: string; expiresAt: number } {
    const expiresAt = this.clock() + this.lifetimeSeconds * 1000;
    const payload = Buffer.alloc(16);
    payload.writeDoubleBE(expiresAt, 0);
    randomBytes(8).copy(payload, 8);
    return { accessToken: `ya29.${Buffer.concat([payload, this.mac('a', payload)]).toString('base64url')}`, expiresAt };
  }

  verifyAccessToken(token: string): TokenCheck {
    if (!token.startsWith('ya29.')) return 'invalid';
    const raw = Buffer.from(token.slice(5), 'base64url');
    if (raw.length !== 16 + MAC_BYTES) return 'invalid';
    const payload = raw.subarray(0, 16);
    if (!timingSafeEqual(raw.subarray(16), this.mac('a', payload))) return 'invalid';
    return this.clock() < payload.readDoubleBE(0) ? 'ok' : 'expired';
  }

  issueRefreshToken(): string {
    return this.signRefresh(randomBytes(12));
  }

  verifyRefreshToken(token: string): boolean {
    if (!token.startsWith('1//')) return false;
    const raw = Buffer.from(token.slice(3), 'base64url');
    if (raw.length !== 12 + MAC_BYTES) return false;
    return timingSafeEqual(raw.subarray(12), this.mac('r', raw.subarray(0, 12)));
  }

  verifyClient(clientId: string | undefined, clientSecret: string | undefined): boolean {
    return clientId === this.clientId && clientSecret === this.clientSecret;
  }

  createCode(grant: Omit<CodeGrant, 'expiresAt'>): string {
    const code = `4/${randomBytes(24).toString('base64url')}`;
    this.codes.set(code, { ...grant, expiresAt: this.clock() + CODE_LIFETIME_MS });
    return code;
  }

  /** Single use: the code is gone afterwards, whether or not the rest of the grant is valid. */
  consumeCode(code: string): CodeGrant | undefined {
    const grant = this.codes.get(code);
    this.codes.delete(code);
    if (!grant || this.clock() > grant.expiresAt) return undefined;
    return grant;
  }

  private signRefresh(nonce: Buffer): string {
    return `1//${Buffer.concat([nonce, this.mac('r', nonce)]).toString('base64url')}`;
  }

  private mac(kind: string, payload: Buffer): Buffer {
    return createHmac('sha256', this.secret).update(kind).update(payload).digest().subarray(0, MAC_BYTES);
  }
}

/** RFC 7636 check of a code_verifier against the stored challenge. */
export function verifyPkce(grant: CodeGrant, verifier: string | undefined): boolean {
  if (grant.challenge === undefined) return true;
  if (verifier === undefined || !/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier)) return false;
  const computed = grant.challengeMethod === 'plain' ? verifier : createHash('sha256').update(verifier).digest('base64url');
  return computed === grant.challenge;
}
