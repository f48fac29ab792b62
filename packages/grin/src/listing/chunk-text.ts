/**
 * The decoded text fed to htmlparser2's Tokenizer, addressed by the absolute positions its
 * callbacks report. A token may start in an earlier chunk than the one being tokenized, so
 * chunks are kept until {@link release} says no token can start in them any more.
 */
export class ChunkText {
  private chunks: string[] = [];
  /** Absolute position of `chunks[0]`. */
  private firstStart = 0;
  /** The newest chunk and its absolute position: almost every access falls in it. */
  private last = '';
  private lastStart = 0;
  private end = 0;

  push(chunk: string): void {
    this.chunks.push(chunk);
    this.last = chunk;
    this.lastStart = this.end;
    this.end += chunk.length;
  }

  /** Forgets the chunks that end before `position` (token starts only move forward). */
  release(position: number): void {
    const chunks = this.chunks;
    while (chunks.length > 1 && position - this.firstStart >= (chunks[0] as string).length) {
      this.firstStart += (chunks.shift() as string).length;
    }
  }

  /** The text between two absolute positions (not before the last {@link release}). */
  slice(start: number, end: number): string {
    if (start >= this.lastStart) return this.last.slice(start - this.lastStart, end - this.lastStart);
    let out = '';
    let at = this.firstStart;
    for (const chunk of this.chunks) {
      const chunkEnd = at + chunk.length;
      if (chunkEnd > start) out += chunk.slice(Math.max(start, at) - at, Math.min(end, chunkEnd) - at);
      if (chunkEnd >= end) break;
      at = chunkEnd;
    }
    return out;
  }

  /** The UTF-16 code unit at an absolute position, lower-cased if it is an ASCII letter. */
  lowerCodeAt(position: number): number {
    const code = position >= this.lastStart ? this.last.charCodeAt(position - this.lastStart) : this.slice(position, position + 1).charCodeAt(0);
    return code >= 65 && code <= 90 ? code | 0x20 : code;
  }
}
