import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ListName } from '../types.js';

const LISTS: readonly ListName[] = ['_all_books', '_converted', '_failed', '_in_process'];
const VERSION = 1;
const PAYLOAD_BYTES = 14;
const MAC_BYTES = 12;

export interface Cursor {
  list: ListName;
  offset: number;
  issuedAt: number;
}

export type CursorCheck = { ok: true; cursor: Cursor } | { ok: false; reason: 'invalid' | 'expired' | 'wrong-list' };

/**
 * Opaque `ctoken=` continuation tokens: HMAC-signed (key derived from the seed, so tokens
 * survive a restart with the same seed), carrying the list, offset and issue time.
 */
export class CursorCodec {
  constructor(
    private readonly key: Buffer,
    private readonly clock: () => number,
    private readonly lifetimeMs: number | undefined,
  ) {}

  encode(list: ListName, offset: number): string {
    const payload = Buffer.alloc(PAYLOAD_BYTES);
    payload.writeUInt8(VERSION, 0);
    payload.writeUInt8(LISTS.indexOf(list), 1);
    payload.writeUInt32BE(offset, 2);
    payload.writeDoubleBE(this.clock(), 6);
    return Buffer.concat([payload, this.mac(payload)]).toString('base64url');
  }

  decode(token: string, list: ListName): CursorCheck {
    const raw = Buffer.from(token, 'base64url');
    if (raw.length !== PAYLOAD_BYTES + MAC_BYTES || raw.toString('base64url') !== token) return { ok: false, reason: 'invalid' };
    const payload = raw.subarray(0, PAYLOAD_BYTES);
    if (!timingSafeEqual(raw.subarray(PAYLOAD_BYTES), this.mac(payload)) || payload.readUInt8(0) !== VERSION) {
      return { ok: false, reason: 'invalid' };
    }
    const tokenList = LISTS[payload.readUInt8(1)];
    if (tokenList !== list) return { ok: false, reason: 'wrong-list' };
    const issuedAt = payload.readDoubleBE(6);
    if (this.lifetimeMs !== undefined && this.clock() - issuedAt > this.lifetimeMs) return { ok: false, reason: 'expired' };
    return { ok: true, cursor: { list, offset: payload.readUInt32BE(2), issuedAt } };
  }

  private mac(payload: Buffer): Buffer {
    return createHmac('sha256', this.key).update(payload).digest().subarray(0, MAC_BYTES);
  }
}
