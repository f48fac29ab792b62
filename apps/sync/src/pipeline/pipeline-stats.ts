/** Outcome kinds counted by the stats (see stages/volume-outcome.ts). */
export type OutcomeKind = 'synced' | 'skipped' | 'unavailable' | 'failed';

/**
 * Live counters of a sync run. The pipeline and its stages only increment numbers here; the CLI
 * reads them on a timer and feeds the progress reporter (the pipeline never renders anything).
 * Plain fields so the hot path is a single add.
 */
export class PipelineStats {
  // --- selection ---
  /** Barcodes pulled from the selector so far. */
  selected = 0;
  /** Total the selector will yield, when known (barcode list, or the listing has ended). */
  selectionTotal: number | null = null;
  selectionDone = false;

  // --- queues and workers ---
  /** Selected barcodes waiting for a download worker (check + download). */
  waitingToDownload = 0;
  /** Download workers busy checking a volume. */
  checking = 0;
  /** Checked volumes waiting for a processing worker. */
  waitingToProcess = 0;
  /** Processing workers busy with a volume (download stream -> decrypt -> store -> verify). */
  processing = 0;
  /** GRIN downloads (GET bodies) in flight, and their limit. */
  downloadsActive = 0;
  downloadLimit = 0;

  // --- outcomes ---
  synced = 0;
  skipped = 0;
  unavailable = 0;
  failed = 0;
  /** Volumes selected but dropped unstarted by a stop (they are picked up by the next run). */
  dropped = 0;
  /** Outcome counts by reason, e.g. `skipped:etag_match`, `failed:decrypt_bad_passphrase`. */
  readonly reasons = new Map<string, number>();
  /** Transfer attempts that failed and were retried. */
  retries = 0;
  consecutiveFailures = 0;

  // --- bytes (encrypted archive bytes, as GRIN sends them) ---
  /** Bytes received from GRIN (all attempts). */
  bytesDownloaded = 0;
  /**
   * Bytes of work known so far: the sizes (HEAD or GET Content-Length) of the volumes that need a
   * transfer, plus bytes of failed attempts (they were work done too). A volume's size is
   * "known" once it was checked with a HEAD or its download started.
   */
  bytesKnown = 0;
  /** Volumes whose size is known (see bytesKnown). */
  sizesKnown = 0;
  /**
   * Volumes settled at 0 bytes of transfer without their size being known: skipped, unavailable,
   * read back from storage, or given up before a size arrived. With {@link sizesKnown} they are
   * the volumes whose share of the byte work is known; every other selected volume is estimated.
   */
  settledWithoutBytes = 0;
  /** Volumes through the check (any result). */
  checked = 0;
  /** Decrypted bytes written to storage by synced volumes. */
  bytesStored = 0;

  /** Volumes finished (any outcome). */
  get done(): number {
    return this.synced + this.skipped + this.unavailable + this.failed;
  }

  countReason(kind: OutcomeKind | 'dropped' | 'retry', reason: string): void {
    const key = `${kind}:${reason}`;
    this.reasons.set(key, (this.reasons.get(key) ?? 0) + 1);
  }

  /**
   * Bytes expected for the whole selection, for an ETA by bytes; null while the number of volumes
   * is unknown or no volume's share is known yet. Volumes not settled yet (including those checked
   * without a HEAD, whose size arrives with their GET) are estimated at the average of the settled
   * ones (skipped volumes count as 0, so a mostly-synced run estimates low).
   */
  expectedBytes(): number | null {
    if (this.selectionTotal === null) return null;
    const settled = this.sizesKnown + this.settledWithoutBytes;
    if (settled === 0) return null;
    const unsettled = Math.max(0, this.selectionTotal - settled - this.dropped);
    return Math.round(this.bytesKnown + (unsettled * this.bytesKnown) / settled);
  }

  /** A plain object copy (for JSON output, tests and the session counters). */
  counts(): Record<string, number> {
    const out: Record<string, number> = {
      selected: this.selected,
      synced: this.synced,
      skipped: this.skipped,
      unavailable: this.unavailable,
      failed: this.failed,
      dropped: this.dropped,
      retries: this.retries,
      bytes_downloaded: this.bytesDownloaded,
      bytes_stored: this.bytesStored,
    };
    for (const [k, v] of this.reasons) out[k] = v;
    return out;
  }
}
