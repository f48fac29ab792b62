import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CorruptArchiveError, ExtractionAbortedError, startArchiveRead, UnsafeArchiveError } from '../../src/extract/index.js';
import { buildTarGz, imageBytes } from './archive-fixtures.js';

/** Writes `data` in 64 KiB chunks as the tee does (waiting for 'drain'), ends the sink, returns when it finished. */
async function writeAll(sink: Writable, data: Buffer): Promise<void> {
  for (let at = 0; at < data.length; at += 65536) {
    if (!sink.write(data.subarray(at, at + 65536))) await once(sink, 'drain');
  }
  sink.end();
  await once(sink, 'finish');
}

describe('startArchiveRead: the sink the tee writes into', () => {
  it('reads every entry of an archive written into it', async () => {
    const archive = await buildTarGz([
      { name: '00000001.txt', content: 'one' },
      { name: '00000001.jp2', content: imageBytes(2_000_000) },
    ]);
    const seen: string[] = [];
    const reader = startArchiveRead((entry) => void seen.push(entry.path));
    await writeAll(reader.sink, archive);
    await expect(reader.done).resolves.toEqual({ entries: 2 });
    expect(seen).toEqual(['00000001.txt', '00000001.jp2']);
  });

  it('takes the whole archive without blocking when it refuses it early, or when it is not gzip at all', async () => {
    const hostile = await buildTarGz([
      { name: '../escape.txt', content: 'x' },
      { name: 'big.jp2', content: imageBytes(3_000_000) },
    ]);
    const refusing = startArchiveRead(() => undefined);
    await writeAll(refusing.sink, hostile);
    await expect(refusing.done).rejects.toBeInstanceOf(UnsafeArchiveError);

    const notGzip = startArchiveRead(() => undefined);
    await writeAll(notGzip.sink, imageBytes(1_000_000));
    await expect(notGzip.done).rejects.toThrow(/not gzip/);
    await expect(notGzip.done).rejects.toBeInstanceOf(CorruptArchiveError);
  });

  it('fails with the error the writer destroyed it with, or as aborted without one', async () => {
    const archive = await buildTarGz([{ name: 'big.jp2', content: imageBytes(2_000_000) }]);
    const broken = startArchiveRead(() => undefined);
    broken.sink.write(archive.subarray(0, 100_000));
    const gpgFailed = new Error('gpg: decryption failed');
    broken.sink.destroy(gpgFailed);
    await expect(broken.done).rejects.toBe(gpgFailed);

    const dropped = startArchiveRead(() => undefined);
    dropped.sink.write(archive.subarray(0, 100_000));
    dropped.sink.destroy();
    await expect(dropped.done).rejects.toBeInstanceOf(ExtractionAbortedError);
  });
});
