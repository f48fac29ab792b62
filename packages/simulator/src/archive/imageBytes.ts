import { createCipheriv, createHash } from 'node:crypto';

const CHUNK = 1024 * 1024;
const ZEROES = Buffer.alloc(CHUNK);
/** JPEG 2000 signature box + ftyp box, so the files look like what they claim to be. */
const JP2_HEADER = Buffer.from('0000000c6a5020200d0a870a00000014667479706a703220000000006a703220', 'hex');

/**
 * Page image bytes: a JP2 header followed by an AES-128-CTR keystream (fast, deterministic per
 * book and page, incompressible), yielded in 1 MiB chunks so 1 GB archives never sit in memory.
 */
export function* imageChunks(key: number, bookIndex: number, page: number, size: number): Generator<Buffer> {
  const seed = createHash('sha256').update(`jp2:${key}:${bookIndex}:${page}`).digest();
  const cipher = createCipheriv('aes-128-ctr', seed.subarray(0, 16), seed.subarray(16, 32));
  let remaining = size;
  let first = true;
  while (remaining > 0) {
    const n = Math.min(CHUNK, remaining);
    const chunk = cipher.update(n === CHUNK ? ZEROES : ZEROES.subarray(0, n));
    if (first) {
      JP2_HEADER.copy(chunk, 0, 0, Math.min(JP2_HEADER.length, n));
      first = false;
    }
    remaining -= n;
    yield chunk;
  }
}
