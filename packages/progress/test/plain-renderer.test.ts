import { describe, expect, it } from 'vitest';
import { makeReporter } from './helpers/make-reporter.js';
import { ESCAPE_OR_CR } from './helpers/terminal.js';

describe('plain renderer', () => {
  it('prints a start line, one line per interval and the summary', () => {
    const { reporter, time, stream } = makeReporter({ mode: 'plain', total: 600, initialCompleted: 100 });
    for (let s = 0; s < 35; s++) {
      reporter.tick(5);
      time.advance(1000);
    }
    reporter.finish();
    const lines = stream.text().trimEnd().split('\n');
    expect(lines[0]).toBe('Syncing: started (total: 600 books), resuming after 100 already done');
    expect(lines.slice(1, -1)).toHaveLength(3); // at 10 s, 20 s, 30 s
    expect(lines[1]).toMatch(/^Syncing: 150\/600 books \(25\.0%\) - 5\.\d books\/s - elapsed: 10\.0s - ETA: 1m \d\ds$/);
    expect(lines[3]).toMatch(/^Syncing: 250\/600 books/);
    expect(lines.at(-1)).toBe('✓ Completed Syncing | 275 books (175 this session) | avg 5.0 books/s | total time: 35.0s');
  });

  it('honours intervalMs', () => {
    const { reporter, time, stream } = makeReporter({ mode: 'plain', intervalMs: 2000 });
    time.advance(10_000);
    reporter.finish();
    expect(stream.text().trimEnd().split('\n')).toHaveLength(1 + 5 + 1);
  });

  it('prints queue fields and log lines', () => {
    const { reporter, time, stream } = makeReporter({ mode: 'plain', intervalMs: 1000 });
    reporter.setQueue({ downloadsActive: 2, downloadLimit: 4, processing: 1, waitingToDownload: 7, waitingToProcess: 0 });
    reporter.log('fetched 32044');
    time.advance(1000);
    expect(stream.text()).toContain('fetched 32044\n');
    expect(stream.text()).toContain('[downloads: 2/4, processing: 1, waiting to download: 7, waiting to be processed: 0]');
  });

  it('never writes \\r or escape sequences, even from caller text', () => {
    const { reporter, time, stream } = makeReporter({ mode: 'plain', intervalMs: 1000, total: 50, operation: 'Sync\r\u001b[2J' });
    reporter.setExtra('current', 'bar\rcode\u001b[31m');
    for (let s = 0; s < 20; s++) {
      reporter.tick(2);
      reporter.addBytes(1000);
      if (s % 5 === 0) reporter.log(`line ${s}\r\u001b[1mbold\u001b[0m`);
      time.advance(1000);
    }
    time.advance(60_000);
    reporter.finish({ status: 'failed', message: 'oops\r' });
    expect(stream.text()).not.toMatch(ESCAPE_OR_CR);
    expect(stream.text()).toContain('stalled');
  });
});
