import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

/** Gzips `source` into `target` (overwritten); resolves to the compressed size. */
export async function gzipFile(source: string, target: string, options: { level?: number; signal?: AbortSignal } = {}): Promise<number> {
  await pipeline(
    createReadStream(source),
    createGzip({ level: options.level ?? 6 }),
    createWriteStream(target),
    options.signal === undefined ? {} : { signal: options.signal },
  );
  return (await stat(target)).size;
}
