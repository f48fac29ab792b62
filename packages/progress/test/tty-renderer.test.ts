import { describe, expect, it } from 'vitest';
import { makeReporter } from './helpers/make-reporter.js';
import { Screen } from './helpers/screen.js';

const SGR = /\u001b\[[0-9;]*m/;

function ttyReporter(options: Parameters<typeof makeReporter>[0] = {}) {
  return makeReporter({ mode: 'auto', total: 1000, streamOptions: { isTTY: true, columns: 80 }, ...options });
}

describe('tty renderer', () => {
  it('is chosen for a TTY and redraws one line in place', () => {
    const { reporter, time, stream } = ttyReporter({ env: { NO_COLOR: '1' } });
    expect(reporter.mode).toBe('tty');
    for (let s = 0; s < 5; s++) {
      reporter.tick(10);
      time.advance(1000);
    }
    const text = stream.text();
    expect(text).not.toContain('\n');
    const screen = new Screen(80).feed(text);
    expect(screen.text()).toHaveLength(1);
    // 950 left at 10/s, counted down by the 0.9 s since the last progress was seen.
    expect(screen.text()[0]).toBe('Syncing 50/1,000 books 5.0% | 10.0 books/s | elapsed 5.0s | ETA 1m 34s');
    expect(screen.cursorVisible).toBe(false);
  });

  it('draws a bar when the terminal is wide enough', () => {
    const { reporter, time, stream } = ttyReporter({ env: { NO_COLOR: '1' }, streamOptions: { isTTY: true, columns: 120 } });
    reporter.tick(500);
    time.advance(1000);
    const line = new Screen(120).feed(stream.text()).text()[0] ?? '';
    expect(line).toMatch(/^Syncing \[(█+)(░+)\] 500\/1,000 books 50\.0% \|/);
    const [, filled = '', empty = ''] = /\[(█+)(░+)\]/.exec(line) ?? [];
    expect(filled.length).toBe(empty.length);
  });

  it('redraws at most 10 times a second and only on change', () => {
    const { reporter, time, stream } = ttyReporter({ env: { NO_COLOR: '1' } });
    const draws = () => stream.chunks.filter((c) => c.startsWith('\r') && c !== '\r\u001b[K').length;
    const before = draws();
    for (let ms = 0; ms < 3000; ms++) {
      reporter.tick();
      time.advance(1);
    }
    expect(draws() - before).toBeLessThanOrEqual(30);
    expect(draws() - before).toBeGreaterThanOrEqual(3);
    const settled = draws();
    reporter.set(reporter.snapshot().completed); // nothing moves; elapsed text changes only each 0.1 s
    time.advance(200);
    expect(draws() - settled).toBeLessThanOrEqual(2);
  });

  it('fits the terminal width', () => {
    const { reporter, time, stream } = ttyReporter({ operation: 'Collecting a very long operation name '.repeat(3), streamOptions: { isTTY: true, columns: 50 } });
    reporter.setExtra('current', 'x'.repeat(100));
    reporter.tick(5);
    time.advance(1000);
    const screen = new Screen(50).feed(stream.text());
    expect(screen.text()[0]?.length).toBe(49);
    expect(screen.text()[0]?.endsWith('…')).toBe(true);
  });

  it('uses colour unless NO_COLOR is set', () => {
    const colored = ttyReporter({ env: { TERM: 'xterm-256color' } });
    colored.time.advance(200);
    expect(colored.stream.text()).toMatch(SGR);
    const plain = ttyReporter({ env: { NO_COLOR: '1' } });
    plain.reporter.tick(3);
    plain.time.advance(1000);
    plain.reporter.finish();
    expect(plain.stream.text()).not.toMatch(SGR);
  });

  it('prints log lines above the live line without corrupting either', () => {
    const { reporter, time, stream } = ttyReporter({ env: { NO_COLOR: '1' } });
    reporter.tick(10);
    time.advance(1000);
    reporter.log('short');
    reporter.log('second\nline');
    time.advance(100);
    reporter.tick(10);
    time.advance(900);
    const screen = new Screen(80).feed(stream.text());
    const [first, second, third, status, ...rest] = screen.text();
    expect([first, second, third]).toEqual(['short', 'second', 'line']);
    expect(status).toMatch(/^Syncing 20\/1,000 books/);
    expect(rest).toEqual([]);
  });

  it('leaves the terminal clean on finish', () => {
    const { reporter, time, stream, proc } = ttyReporter({ env: { NO_COLOR: '1' } });
    reporter.tick(1000);
    time.advance(2000);
    reporter.finish();
    const screen = new Screen(80).feed(stream.text());
    expect(screen.text()).toEqual(['✓ Completed Syncing | 1,000 books | avg 500.0 books/s | total time: 2.0s']);
    expect(screen.cursorVisible).toBe(true);
    expect(screen.col).toBe(0);
    expect(proc.listenerCount('SIGINT') + proc.listenerCount('SIGTERM') + proc.listenerCount('exit')).toBe(0);
    time.advance(5000);
    expect(new Screen(80).feed(stream.text()).text()).toHaveLength(1);
  });

  it('restores the terminal on SIGINT and re-raises it when nobody else handles it', () => {
    const { reporter, time, stream, proc } = ttyReporter();
    reporter.tick(10);
    time.advance(1000);
    proc.emit('SIGINT');
    const screen = new Screen(80).feed(stream.text());
    expect(screen.text()).toEqual([]);
    expect(screen.cursorVisible).toBe(true);
    expect(proc.kills).toEqual([{ pid: proc.pid, signal: 'SIGINT' }]);
    expect(proc.listenerCount('SIGINT') + proc.listenerCount('exit')).toBe(0);
  });

  it('on SIGINT with an app handler: restores the cursor, keeps reporting, and finishes cleanly', () => {
    const { reporter, time, stream, proc } = ttyReporter({ env: { NO_COLOR: '1' } });
    let appSaw = 0;
    proc.on('SIGINT', () => appSaw++);
    reporter.tick(10);
    time.advance(1000);
    proc.emit('SIGINT');
    expect(appSaw).toBe(1);
    expect(proc.kills).toEqual([]);
    let screen = new Screen(80).feed(stream.text());
    expect(screen.cursorVisible).toBe(true);
    reporter.tick(5);
    time.advance(1000);
    screen = new Screen(80).feed(stream.text());
    expect(screen.text()[0]).toMatch(/15\/1,000 books/);
    expect(screen.cursorVisible).toBe(true);
    reporter.finish({ status: 'interrupted' });
    screen = new Screen(80).feed(stream.text());
    expect(screen.text()).toEqual([expect.stringMatching(/^! Interrupted Syncing \| 15\/1,000 books/)]);
    expect(proc.listenerCount('SIGINT')).toBe(1); // only the app's own handler remains
  });

  it('restores the terminal on process exit', () => {
    const { reporter, time, stream, proc } = ttyReporter();
    reporter.tick(10);
    time.advance(1000);
    proc.emit('exit');
    const screen = new Screen(80).feed(stream.text());
    expect(screen.text()).toEqual([]);
    expect(screen.cursorVisible).toBe(true);
  });
});
