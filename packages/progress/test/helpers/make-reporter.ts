import { createReporter, type ProgressReporter, type ReporterOptions } from '../../src/index.js';
import { FakeProcess } from './fake-process.js';
import { FakeTime } from './fake-time.js';
import { MemoryStream } from './memory-stream.js';

export interface Harness {
  readonly reporter: ProgressReporter;
  readonly time: FakeTime;
  readonly stream: MemoryStream;
  readonly proc: FakeProcess;
}

/** A reporter on a fake clock, fake timers, a memory stream and a fake process. */
export function makeReporter(
  options: Partial<ReporterOptions> & { streamOptions?: { isTTY?: boolean; columns?: number } } = {},
): Harness {
  const time = new FakeTime();
  const stream = new MemoryStream(options.streamOptions ?? {});
  const proc = new FakeProcess();
  const { streamOptions: _ignored, ...rest } = options;
  const reporter = createReporter({
    operation: 'Syncing',
    unit: 'book',
    env: {},
    clock: time.clock,
    wallClock: () => Date.UTC(2025, 0, 1) + time.now,
    timers: time.timers,
    process: proc,
    stream,
    ...rest,
  });
  return { reporter, time, stream, proc };
}
