import { open } from 'node:fs/promises';
import { PassphraseFileError } from './decrypt-errors.js';

/** The passphrase as gpg would read it from `--passphrase-file`, plus what we noticed about the file. */
export interface PassphraseFile {
  /** Bytes gpg consumes from the file: the first line including its newline (gpg stops there). */
  readonly bytes: Buffer;
  /** Permission bits of the file. */
  readonly mode: number;
  /** True when group or others may read it (mode & 0o044); it should be 0600. */
  readonly groupOrWorldReadable: boolean;
}

const MAX_SIZE = 64 * 1024;

/** Read and validate the passphrase file up front; throws PassphraseFileError with a hint. */
export async function readPassphraseFile(path: string): Promise<PassphraseFile> {
  let content: Buffer;
  let mode: number;
  try {
    const fh = await open(path, 'r');
    try {
      const st = await fh.stat();
      if (!st.isFile()) throw new PassphraseFileError(`passphrase file ${path} is not a regular file`);
      if (st.size > MAX_SIZE) throw new PassphraseFileError(`passphrase file ${path} is ${st.size} bytes; expected a short passphrase`);
      mode = st.mode & 0o777;
      content = await fh.readFile();
    } finally {
      await fh.close();
    }
  } catch (err) {
    if (err instanceof PassphraseFileError) throw err;
    const code = (err as { code?: string }).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable by this user' : `cannot be read (${code ?? String(err)})`;
    throw new PassphraseFileError(`passphrase file ${path} ${why}`, { cause: err });
  }
  const nl = content.indexOf(0x0a);
  const bytes = nl === -1 ? Buffer.concat([content, Buffer.from('\n')]) : content.subarray(0, nl + 1);
  const firstLine = bytes.subarray(0, bytes.length - 1).toString('latin1').replace(/\r$/, '');
  if (firstLine.length === 0) throw new PassphraseFileError(`passphrase file ${path} is empty (first line has no passphrase)`);
  return { bytes: Buffer.from(bytes), mode, groupOrWorldReadable: (mode & 0o044) !== 0 };
}
