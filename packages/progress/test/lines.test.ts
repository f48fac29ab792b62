import { describe, expect, it } from 'vitest';
import { formatProgressLine, formatQueueProgressLine, formatSummary, toUnit, type ProgressSummary } from '../src/index.js';

const books = toUnit('book');

describe('formatProgressLine (the seed show_progress)', () => {
  it('shows count, total, percentage, rate, elapsed and ETA', () => {
    expect(formatProgressLine({
      operation: 'Syncing', unit: books, completed: 1234, total: 5000, rate: 12.34, elapsedSeconds: 100,
    })).toBe('Syncing: 1,234/5,000 books (24.6%) - 12.3 books/s - elapsed: 1m 40s - ETA: 5m 05s');
  });

  it('works without a total (no percentage, no ETA)', () => {
    expect(formatProgressLine({
      operation: 'Collecting _all_books', unit: 'barcode record', completed: 2000, total: null, rate: 45.6, elapsedSeconds: 43.9,
      extra: { current: '32044012345678' },
    })).toBe('Collecting _all_books: 2,000 barcode records - 45.6 barcode records/s - elapsed: 43.9s [current: 32044012345678]');
  });

  it('keeps extras in order and sanitises control characters', () => {
    const line = formatProgressLine({
      completed: 1, total: null, rate: null, elapsedSeconds: 1,
      extra: [['zeta', 1], ['alpha', 'x\ry\u001b[31m'], ['n', 12345]],
    });
    expect(line).toBe('1 item - -- items/s - elapsed: 1.0s [zeta: 1, alpha: x y [31m, n: 12,345]');
    expect(line).not.toMatch(/[\r\u001b]/);
  });

  it('shows bytes and the byte rate after the ETA', () => {
    expect(formatProgressLine({
      completed: 10, total: 20, rate: 1, elapsedSeconds: 10, bytes: 1.5 * 1024 ** 3, bytesTotal: 3 * 1024 ** 3, byteRate: 10 * 1024 ** 2,
    })).toBe('10/20 items (50.0%) - 1.0 items/s - elapsed: 10.0s - ETA: 10.0s - 1.5 GiB/3.0 GiB @ 10.0 MiB/s');
  });

  it('shows a stall and a capped ETA', () => {
    expect(formatProgressLine({
      completed: 10, total: 20, rate: 0.01, elapsedSeconds: 100, eta: { state: 'stalled', stalledSeconds: 45, seconds: 1000 },
    })).toContain('ETA: stalled 45s');
    expect(formatProgressLine({ completed: 10, total: 1e15, rate: 1, elapsedSeconds: 10 })).toContain('ETA: > 99d');
  });
});

describe('formatQueueProgressLine (the seed show_queue_progress)', () => {
  it('carries the seed fields in the seed order, before other extras', () => {
    const line = formatQueueProgressLine({
      operation: 'Syncing', unit: books, completed: 120, total: 5000, rate: 1.2, elapsedSeconds: 100,
      queue: { downloadsActive: 3, downloadLimit: 8, processing: 5, waitingToDownload: 120, waitingToProcess: 4 },
      extra: { failed: 2 },
    });
    expect(line).toBe('Syncing: 120/5,000 books (2.4%) - 1.2 books/s - elapsed: 1m 40s - ETA: 1h 07m '
      + '[downloads: 3/8, processing: 5, waiting to download: 120, waiting to be processed: 4, failed: 2]');
  });
});

describe('formatSummary', () => {
  const base: ProgressSummary = {
    operation: 'Syncing', unit: books, status: 'completed', message: null, completed: 5000, initialCompleted: 300,
    sessionCompleted: 4700, total: 5000, bytes: 12.3 * 1024 ** 3, bytesTotal: null, elapsedSeconds: 3900,
    averageRate: 4700 / 3900, averageByteRate: (12.3 * 1024 ** 3) / 3900,
  };

  it('summarises items, bytes, average rate and total time', () => {
    expect(formatSummary(base)).toBe('✓ Completed Syncing | 5,000 books (4,700 this session) | avg 1.2 books/s | 12.3 GiB @ 3.2 MiB/s | total time: 1h 05m');
  });

  it('shows done/total and the message when interrupted or failed', () => {
    expect(formatSummary({ ...base, status: 'interrupted', completed: 900, sessionCompleted: 600, bytes: 0, message: 'Ctrl-C' }))
      .toBe('! Interrupted Syncing | 900/5,000 books (600 this session) | avg 1.2 books/s | total time: 1h 05m | Ctrl-C');
    expect(formatSummary({ ...base, status: 'failed', initialCompleted: 0, bytes: 0, averageRate: null, message: 'disk full' }))
      .toBe('✗ Failed Syncing | 5,000/5,000 books | avg -- books/s | total time: 1h 05m | disk full');
  });
});
