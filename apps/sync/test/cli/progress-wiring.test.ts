import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createReporter } from '@grin/progress';
import { pushStats, wireProgress } from '../../src/cli/progress-wiring.js';
import { PipelineStats } from '../../src/pipeline/pipeline-stats.js';

function reporterAt(clock: { t: number }) {
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => (text += c.toString()));
  const reporter = createReporter({
    operation: 'Syncing test',
    unit: 'book',
    stream: out,
    mode: 'json',
    env: {},
    clock: () => clock.t,
    timers: { setInterval: () => 0, clearInterval: () => {} },
  });
  return { reporter, text: () => text };
}

describe('stats -> progress', () => {
  it('feeds counts, queue depths and an ETA by bytes over the sizes known so far', () => {
    const clock = { t: 0 };
    const { reporter } = reporterAt(clock);
    const stats = new PipelineStats();
    stats.selectionTotal = 10;
    stats.selected = 6;
    stats.checked = 4;
    stats.sizesKnown = 3;
    stats.settledWithoutBytes = 1; // one of the four checked volumes was skipped
    stats.bytesKnown = 300;
    stats.downloadLimit = 5;
    stats.downloadsActive = 2;
    stats.processing = 3;
    stats.waitingToDownload = 2;
    stats.checking = 1;
    stats.waitingToProcess = 1;
    stats.synced = 1;
    stats.skipped = 1;

    // 4 checked volumes need 300 bytes: the 6 unchecked ones are estimated at 75 each.
    expect(stats.expectedBytes()).toBe(300 + 6 * 75);
    for (let i = 1; i <= 20; i++) {
      clock.t = i * 1000;
      stats.bytesDownloaded = i * 10;
      pushStats(stats, reporter);
      reporter.snapshot();
    }
    const snap = reporter.snapshot();
    expect(snap.completed).toBe(2);
    expect(snap.total).toBe(10);
    expect(snap.queue).toEqual({ downloadsActive: 2, downloadLimit: 5, processing: 3, waitingToDownload: 3, waitingToProcess: 1 });
    expect(snap.bytesTotal).toBe(750);
    expect(snap.etaBasis).toBe('bytes');
    // 550 bytes left at 10 bytes/s.
    expect(snap.etaSeconds).toBeGreaterThan(40);
    expect(snap.etaSeconds).toBeLessThan(70);
    expect(snap.extra).toMatchObject({ synced: 1, skipped: 1, 'sizes known': '3/6' });
  });

  it('a first run (nothing stored, no HEAD): checked volumes without a size are estimated, never counted as 0 bytes', () => {
    const stats = new PipelineStats();
    stats.selectionTotal = 30;
    stats.selected = 30;
    stats.checked = 12; // checked = "not stored"; their sizes come with their GETs
    expect(stats.expectedBytes()).toBeNull(); // no volume's size known yet: no estimate, not "done"
    stats.sizesKnown = 5;
    stats.bytesKnown = 500;
    // 5 known at 100 each; the other 25 (7 of them checked, GET not started) estimated at 100.
    expect(stats.expectedBytes()).toBe(3000);
    stats.skipped = 2;
    stats.settledWithoutBytes = 2;
    expect(stats.expectedBytes()).toBe(500 + Math.round((23 * 500) / 7));
  });

  it('no total yet (listing still being read): no byte total, so no ETA by bytes', () => {
    const clock = { t: 0 };
    const { reporter } = reporterAt(clock);
    const stats = new PipelineStats();
    stats.checked = 3;
    stats.bytesKnown = 100;
    const stop = wireProgress(stats, reporter, 1000, { setInterval: () => 0, clearInterval: () => {} });
    stop();
    expect(reporter.snapshot().bytesTotal).toBeNull();
  });
});
