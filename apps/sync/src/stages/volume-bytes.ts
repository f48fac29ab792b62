import type { PipelineStats } from '../pipeline/pipeline-stats.js';

/**
 * One volume's share of the byte accounting behind the ETA. Its size joins `bytesKnown` once
 * known (HEAD or GET Content-Length); a failed attempt's bytes are added as work done (the
 * volume still needs all of its size again); a volume given up removes its size.
 */
export class VolumeBytes {
  private size: number | null;
  private attemptBytes = 0;

  /** `headSize`: the size the check already added to the stats, if any. */
  constructor(
    private readonly stats: PipelineStats,
    headSize: number | null,
  ) {
    this.size = headSize;
  }

  setSize(size: number | null): void {
    if (size === null) return;
    if (this.size === null) {
      this.stats.sizesKnown++;
      this.stats.bytesKnown += size;
    } else if (size !== this.size) {
      this.stats.bytesKnown += size - this.size;
    }
    this.size = size;
  }

  received(n: number): void {
    this.attemptBytes += n;
    this.stats.bytesDownloaded += n;
  }

  attemptFailed(): void {
    this.stats.bytesKnown += this.attemptBytes;
    this.attemptBytes = 0;
  }

  succeeded(): void {
    this.attemptBytes = 0;
  }

  /** The volume will not be transferred (failed or unavailable): its size is no longer work. */
  abandoned(): void {
    if (this.size !== null) this.stats.bytesKnown -= this.size;
    else this.stats.settledWithoutBytes++;
    this.size = null;
  }
}
