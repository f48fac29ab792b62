/** Stable codes of decryption failures. */
export type DecryptErrorCode =
  | 'decrypt_bad_passphrase'
  | 'decrypt_corrupt'
  | 'decrypt_integrity'
  | 'decrypt_legacy_refused'
  | 'decrypt_aborted'
  | 'decrypt_gpg_failed'
  | 'gpg_missing'
  | 'passphrase_file';

interface ErrorOptions {
  hint: string;
  retryable: boolean;
  cause?: unknown;
  /** Last lines gpg printed on stderr (never contains the passphrase). */
  gpgStderr?: string;
}

/** Base class of decryption failures: stable `code`, user `hint`, and whether a retry may help. */
export class DecryptError extends Error {
  override name = 'DecryptError';
  readonly code: DecryptErrorCode;
  readonly hint: string;
  readonly retryable: boolean;
  readonly gpgStderr: string | undefined;

  constructor(code: DecryptErrorCode, message: string, opts: ErrorOptions) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = code;
    this.hint = opts.hint;
    this.retryable = opts.retryable;
    this.gpgStderr = opts.gpgStderr;
  }
}

/** The passphrase does not open the archive. Every archive will fail the same way: not retryable. */
export class WrongPassphraseError extends DecryptError {
  override name = 'WrongPassphraseError';
  constructor(message: string, opts: Omit<ErrorOptions, 'hint' | 'retryable'> = {}) {
    super('decrypt_bad_passphrase', message, {
      ...opts,
      hint: 'check the passphrase file (gpg_passphrase.asc from GRIN) given with --passphrase-file',
      retryable: false,
    });
  }
}

/** The ciphertext is not a complete OpenPGP message (truncated, garbage, damaged packets). */
export class CorruptArchiveError extends DecryptError {
  override name = 'CorruptArchiveError';
  constructor(message: string, opts: Omit<ErrorOptions, 'hint' | 'retryable'> = {}) {
    super('decrypt_corrupt', message, {
      ...opts,
      hint: 'the encrypted archive is damaged or incomplete; it will be downloaded again on the next run',
      retryable: true,
    });
  }
}

/** The message decrypted but its integrity check (MDC) failed or is missing where it must exist. */
export class IntegrityError extends DecryptError {
  override name = 'IntegrityError';
  constructor(message: string, opts: Omit<ErrorOptions, 'hint' | 'retryable'> = {}) {
    super('decrypt_integrity', message, {
      ...opts,
      hint: 'the archive was modified or damaged in transit; it will be downloaded again on the next run',
      retryable: true,
    });
  }
}

/** A legacy (no integrity packet, 64-bit block cipher such as CAST5) archive, refused by default. */
export class LegacyCipherRefusedError extends DecryptError {
  override name = 'LegacyCipherRefusedError';
  constructor(message: string, opts: Omit<ErrorOptions, 'hint' | 'retryable'> = {}) {
    super('decrypt_legacy_refused', message, {
      ...opts,
      hint: 'this archive has no integrity protection (GnuPG 1.x style); rerun with --allow-legacy-without-integrity to accept it (it is then catalogued as not integrity-protected)',
      retryable: false,
    });
  }
}

/** Decryption was cancelled (AbortSignal, or the output was closed before its end). */
export class DecryptAbortedError extends DecryptError {
  override name = 'DecryptAbortedError';
  constructor(message: string, opts: Omit<ErrorOptions, 'hint' | 'retryable'> = {}) {
    super('decrypt_aborted', message, { ...opts, hint: 'the decryption was cancelled', retryable: true });
  }
}

/** gpg failed for a reason that is not about the archive (killed, crashed). */
export class GpgFailedError extends DecryptError {
  override name = 'GpgFailedError';
  constructor(message: string, opts: Omit<ErrorOptions, 'hint' | 'retryable'> = {}) {
    super('decrypt_gpg_failed', message, {
      ...opts,
      hint: 'gpg failed unexpectedly; see gpgStderr and check free memory',
      retryable: true,
    });
  }
}

/** The gpg binary cannot be run. */
export class GpgMissingError extends DecryptError {
  override name = 'GpgMissingError';
  constructor(message: string, opts: Omit<ErrorOptions, 'hint' | 'retryable'> = {}) {
    super('gpg_missing', message, {
      ...opts,
      hint: 'install GnuPG 2.2 or newer (Debian/Ubuntu: apt-get install gnupg; macOS: brew install gnupg); it must be on PATH as gpg',
      retryable: false,
    });
  }
}

/** The passphrase file is missing, unreadable or empty. */
export class PassphraseFileError extends DecryptError {
  override name = 'PassphraseFileError';
  constructor(message: string, opts: Omit<ErrorOptions, 'hint' | 'retryable'> = {}) {
    super('passphrase_file', message, {
      ...opts,
      hint: 'pass --passphrase-file pointing to the gpg_passphrase.asc file GRIN gave your library (readable by this user, chmod 600)',
      retryable: false,
    });
  }
}
