import { describe, expect, it } from 'vitest';
import { makeReporter } from './helpers/make-reporter.js';
import { ESCAPE_OR_CR } from './helpers/terminal.js';

function events(text: string): Array<Record<string, unknown>> {
  return text.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('json renderer', () => {
  it('emits start, progress, log and finish events with the documented fields', () => {
    const { reporter, time, stream } = makeReporter({ mode: 'json', total: 100, initialCompleted: 10, bytesTotal: 5000 });
    reporter.setExtra('current', 'X1');
    for (let s = 0; s < 3; s++) {
      reporter.tick(3);
      reporter.addBytes(100);
      time.advance(1000);
    }
    reporter.log('hello');
    reporter.setQueue({ downloadsActive: 1, downloadLimit: 2, processing: 3, waitingToDownload: 4, waitingToProcess: 5 });
    time.advance(1000);
    reporter.finish();
    const all = events(stream.text());
    expect(all.map((e) => e['event'])).toEqual(['start', 'progress', 'progress', 'progress', 'log', 'progress', 'finish']);
    expect(all[0]).toEqual({
      event: 'start', schema: 'grin-progress/1', time: '2025-01-01T00:00:01.000Z', operation: 'Syncing', unit: 'book',
      unit_plural: 'books', total: 100, initial: 10, bytes_total: 5000,
    });
    const progress = all[3] ?? {};
    expect(Object.keys(progress)).toEqual([
      'event', 'time', 'elapsed_seconds', 'completed', 'initial', 'total', 'percent', 'rate', 'eta_seconds', 'eta_state',
      'eta_basis', 'stalled_seconds', 'bytes', 'bytes_total', 'byte_rate', 'extra', 'queue',
    ]);
    expect(progress).toMatchObject({ completed: 19, total: 100, percent: 19, elapsed_seconds: 3, bytes: 300, extra: { current: 'X1' }, queue: null });
    expect(all[4]).toMatchObject({ event: 'log', message: 'hello', elapsed_seconds: 3 });
    expect(all[5]?.['queue']).toEqual({ downloads_active: 1, download_limit: 2, processing: 3, waiting_to_download: 4, waiting_to_process: 5 });
    expect(all[6]).toMatchObject({
      event: 'finish', status: 'completed', message: null, completed: 19, initial: 10, session_completed: 9, total: 100,
      bytes: 300, bytes_total: 5000, elapsed_seconds: 4, average_rate: 2.25, average_byte_rate: 75,
    });
  });

  it('never writes a raw \\r or escape sequence', () => {
    const { reporter, time, stream } = makeReporter({ mode: 'json', operation: 'a\rb\u001b[0m' });
    reporter.setExtra('k', '\r\u001b');
    reporter.log('x\r\u001b[31my');
    reporter.tick();
    time.advance(5000);
    reporter.finish({ message: '\r' });
    expect(stream.text()).not.toMatch(ESCAPE_OR_CR);
    expect(events(stream.text()).at(-1)?.['message']).toBe('\r');
  });
});
