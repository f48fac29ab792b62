import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { type GpgEncryptOptions, spawnGpgEncrypt } from './gpgEncrypt.js';

export interface EncryptedFile {
  /** Written next to the final path; the caller renames it into place. */
  tmpPath: string;
  md5: string;
  size: number;
}

/**
 * Runs gpg, hashing (md5 = the ETag) and writing its output to a temp file next to `finalPath`.
 * Input comes from `opts.inputPath` or from `feed`, which writes into gpg's stdin.
 */
export async function encryptToFile(
  opts: GpgEncryptOptions,
  finalPath: string,
  feed: ((stdin: Writable) => Promise<void>) | undefined,
  signal: AbortSignal,
): Promise<EncryptedFile> {
  const tmpPath = `${finalPath}.tmp-${randomBytes(4).toString('hex')}`;
  const gpg = spawnGpgEncrypt(opts);
  const out = createWriteStream(tmpPath, { mode: 0o600 });
  const md5 = createHash('md5');
  let size = 0;
  const teardown = (): void => {
    gpg.kill();
    gpg.stdin?.destroy();
    out.destroy();
  };
  if (signal.aborted) teardown();
  signal.addEventListener('abort', teardown, { once: true });

  const copy = (async (): Promise<void> => {
    for await (const chunk of gpg.stdout) {
      md5.update(chunk as Buffer);
      size += (chunk as Buffer).length;
      await writeStream(out, chunk as Buffer);
    }
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  })();
  const input = (async (): Promise<void> => {
    if (!feed || !gpg.stdin) return;
    await feed(gpg.stdin);
    await new Promise<void>((resolve) => gpg.stdin?.end(resolve));
  })();
  // Any failing side must unblock the others (gpg waiting for stdin, a feed waiting for drain).
  for (const task of [input, copy, gpg.done]) task.catch(teardown);
  try {
    const results = await Promise.allSettled([input, copy, gpg.done]);
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw signal.aborted ? signal.reason : pickError(results, failure);
    return { tmpPath, md5: md5.digest('hex'), size };
  } catch (err) {
    teardown();
    await rm(tmpPath, { force: true });
    throw err;
  } finally {
    signal.removeEventListener('abort', teardown);
  }
}

/** gpg's own failure explains more than the EPIPE it causes on its stdin. */
function pickError(results: PromiseSettledResult<void>[], fallback: PromiseRejectedResult): unknown {
  const gpgResult = results[2];
  return gpgResult?.status === 'rejected' ? gpgResult.reason : fallback.reason;
}

/** Write honouring back-pressure; rejects if the stream errors or closes meanwhile. */
export function writeStream(stream: Writable, chunk: Buffer): Promise<void> {
  if (stream.destroyed) return Promise.reject(new Error('stream closed'));
  if (stream.write(chunk)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      stream.off('drain', onDrain);
      stream.off('close', onClose);
      stream.off('error', onError);
    };
    const onDrain = (): void => {
      cleanup();
      resolve();
    };
    const onClose = (): void => {
      cleanup();
      reject(new Error('stream closed'));
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    stream.on('drain', onDrain);
    stream.on('close', onClose);
    stream.on('error', onError);
  });
}
