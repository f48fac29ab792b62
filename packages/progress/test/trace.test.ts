import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { convertTraceRecording, looksLikeTraceRecording } from '../src/index.js';
import { parseBenchTraces } from '../bench/eta/trace.js';
import { makeReporter } from './helpers/make-reporter.js';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'grin-progress-trace-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('GRIN_PROGRESS_TRACE', () => {
  it('records samples on the timer, not per tick', async () => {
    const file = join(dir, 'trace.ndjson');
    const { reporter, time } = makeReporter({ mode: 'off', total: 500, initialCompleted: 100, env: { GRIN_PROGRESS_TRACE: file } });
    for (let i = 0; i < 1000; i++) reporter.tick();
    const afterTicks = (await readFile(file, 'utf8')).trimEnd().split('\n');
    expect(afterTicks).toHaveLength(1); // header only
    expect(JSON.parse(afterTicks[0] ?? '')).toMatchObject({ grin_progress_trace: 1, operation: 'Syncing', unit: 'book', initial: 100, total: 500 });
    time.advance(1000);
    reporter.set(1200);
    time.advance(1000);
    time.advance(5000); // unchanged: no new samples
    reporter.finish();
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as unknown);
    // Samples are taken 4 times a second and written at most once a second, when something changed.
    expect(lines.slice(1)).toEqual([[0.25, 1100, 500], [1.25, 1200, 500], { end: true, t: 7, completed: 1200, status: 'completed' }]);
  });

  it('converts to the benchmark format, one trace per session', async () => {
    const file = join(dir, 'trace.ndjson');
    for (const operation of ['Collect', 'Sync']) {
      const { reporter, time } = makeReporter({ mode: 'off', operation, total: null, env: { GRIN_PROGRESS_TRACE: file } });
      for (let s = 0; s < 5; s++) {
        reporter.tick(10);
        time.advance(1000);
      }
      reporter.finish();
    }
    const text = await readFile(file, 'utf8');
    expect(looksLikeTraceRecording(text)).toBe(true);
    expect(looksLikeTraceRecording('[{"name":"x"}]')).toBe(false);
    const traces = convertTraceRecording(text);
    expect(traces.map((t) => t.name)).toEqual(['Collect #1', 'Sync #2']);
    expect(traces[0]).toEqual({ name: 'Collect #1', total: 50, initial: 0, events: [[0.25, 10], [1.25, 20], [2.25, 30], [3.25, 40], [4.25, 50]] });
    // The converted traces are valid benchmark input.
    expect(parseBenchTraces(JSON.parse(JSON.stringify(traces)))).toHaveLength(2);
  });

  it('tolerates a torn last line from a killed run', () => {
    const text = '{"grin_progress_trace":1,"operation":"X","unit":"item","initial":0,"total":9,"started_at":"2025-01-01T00:00:00.000Z"}\n[1,3,9]\n[2,6,9]\n[3,';
    expect(convertTraceRecording(text)).toEqual([{ name: 'X #1', total: 6, initial: 0, events: [[1, 3], [2, 6]] }]);
  });

  it('rejects a file that is not a recording', () => {
    const text = '{"grin_progress_trace":1,"operation":"X","unit":"item","initial":0,"total":9,"started_at":"x"}\nnot json\n[1,3,9]\n[2,6,9]\n';
    expect(() => convertTraceRecording(text)).toThrow(expect.objectContaining({ code: 'PROGRESS_TRACE_CORRUPT' }));
  });

  it('carries on (and says so) when the file cannot be opened', () => {
    const file = join(dir, 'missing-dir', 'trace.ndjson');
    const { reporter, stream } = makeReporter({ mode: 'plain', env: { GRIN_PROGRESS_TRACE: file } });
    reporter.tick();
    reporter.finish();
    expect(stream.text()).toContain(`progress trace disabled: cannot open ${file} (ENOENT)`);
  });
});
