export { createDecryptor, type Decryptor, type DecryptorOptions } from './decryptor.js';
export type { DecryptResult, DecryptSession } from './gpg-session.js';
export { decryptToStorage, type DecryptToStorageOptions, type DecryptToStorageResult } from './decrypt-to-storage.js';
export { teeStream, type TeeOptions } from './tee-stream.js';
export {
  CorruptArchiveError,
  DecryptAbortedError,
  DecryptError,
  GpgFailedError,
  GpgMissingError,
  IntegrityError,
  LegacyCipherRefusedError,
  PassphraseFileError,
  WrongPassphraseError,
  type DecryptErrorCode,
} from './decrypt-errors.js';
export { readPassphraseFile, type PassphraseFile } from './passphrase-file.js';
