// The extraction stage taken apart, for the benchmark: consumers on the same tee slot that do
// only part of the work, so each layer's cost inside the running pipeline can be measured.
import { PassThrough, Writable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { startArchiveRead } from '../src/extract/index.js';
import type { ConsumerRun, PlaintextConsumer } from '../src/stages/plaintext-consumer.js';

/** `tee`: an extra sink that only counts; `gunzip`: inflate, nothing else; `untar`: inflate + tar parse + entry checks, nothing kept. */
export type DecomposeLayer = 'tee' | 'gunzip' | 'untar';

export function decomposeConsumer(layer: DecomposeLayer): PlaintextConsumer {
  return {
    name: `bench-${layer}`,
    start(): ConsumerRun {
      let done: Promise<unknown> = Promise.resolve();
      let sink: Writable;
      if (layer === 'tee') {
        sink = new Writable({ highWaterMark: 1 << 20, write: (_c, _e, cb) => cb() });
      } else if (layer === 'gunzip') {
        const input = new PassThrough({ highWaterMark: 1 << 20 });
        const gunzip = createGunzip({ chunkSize: 256 * 1024 });
        input.pipe(gunzip);
        gunzip.resume();
        done = new Promise((resolve, reject) => {
          gunzip.on('end', resolve);
          gunzip.on('error', reject);
        });
        sink = input;
      } else {
        // As the extraction consumer: the tee writes straight into the reader's sink.
        const reader = startArchiveRead(() => undefined);
        done = reader.done;
        sink = reader.sink;
      }
      done.catch(() => undefined);
      return { sink, complete: async () => void (await done), discard: async () => undefined };
    },
  };
}
