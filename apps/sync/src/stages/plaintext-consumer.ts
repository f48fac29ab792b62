import type { Writable } from 'node:stream';

/** What a consumer is told about the volume whose plaintext it is about to receive. */
export interface ConsumerVolume {
  barcode: string;
  /** GRIN ETag of the encrypted archive being decrypted. */
  encryptedEtag: string;
  /** 1 for the first transfer attempt; a retry starts a fresh run with a fresh stream. */
  attempt: number;
  /**
   * Where the bytes come from: `grin` = gpg is decrypting them now (its integrity check covers
   * them), `storage` = the stored archive read back (nothing but its size was checked).
   */
  source: 'grin' | 'storage';
  /**
   * Storage held an archive of this barcode before (a changed or unknown ETag, `--force`, or the
   * stored copy read back): outputs of an earlier sync may exist and are to be replaced.
   */
  replacing: boolean;
}

/**
 * One attempt's run of a consumer. `sink` is written through a tee of the decrypted stream, beside
 * the store: it receives exactly the bytes being stored, with back-pressure (the slowest sink
 * governs), and is ended only after the decryptor verified the archive's integrity (destroyed
 * otherwise).
 */
export interface ConsumerRun {
  readonly sink: Writable;
  /**
   * Called after the store committed and was verified: finish the work (e.g. upload the OCR file,
   * record the MARC columns) and resolve, or reject to fail the volume. A volume is synced only
   * when the store and every consumer completed.
   */
  complete(): Promise<void>;
  /** The attempt failed (elsewhere or here): drop everything this run made. Must not throw. */
  discard(reason: Error): Promise<void>;
}

/**
 * A stage that runs beside the store on the decrypted stream — the slot the extraction stages of
 * issue 6 (unpack/MARC/OCR via `startVolumeExtraction`) plug into.
 */
export interface PlaintextConsumer {
  /** Short name used in failure reasons, e.g. `ocr`, `marc`. */
  readonly name: string;
  start(volume: ConsumerVolume, signal: AbortSignal): ConsumerRun;
}
