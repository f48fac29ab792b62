import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createShutdown, type SignalSource } from '../src/index.js';

function setup(forceExitDelayMs = 0) {
  const source = new EventEmitter();
  const stderr = new PassThrough();
  let text = '';
  stderr.on('data', (c: Buffer) => (text += c.toString()));
  const exits: number[] = [];
  const timers: (() => void)[] = [];
  const shutdown = createShutdown({
    source: source as unknown as SignalSource,
    stderr,
    exit: (code) => exits.push(code),
    forceExitDelayMs,
    inFlightDescription: 'the page in hand',
    setTimer: (fn) => {
      timers.push(fn);
      return {};
    },
  });
  return { source, shutdown, exits, timers, output: () => text };
}

describe('createShutdown', () => {
  it('drains on the first SIGINT and says how to stop at once', () => {
    const { source, shutdown, exits, output } = setup();
    expect(shutdown.exitCode()).toBeNull();
    source.emit('SIGINT');
    expect(shutdown.drain.aborted).toBe(true);
    expect(shutdown.abort.aborted).toBe(false);
    expect(shutdown.exitCode()).toBe(130);
    expect(exits).toEqual([]);
    expect(output()).toContain('finishing the page in hand');
    expect(output()).toContain('Ctrl-C again');
  });

  it('aborts and exits at once on the second signal', () => {
    const { source, shutdown, exits } = setup();
    source.emit('SIGINT');
    source.emit('SIGINT');
    expect(shutdown.abort.aborted).toBe(true);
    expect(exits).toEqual([130]);
  });

  it('gives in-flight work a grace period when asked, and reports SIGTERM as 143', () => {
    const { source, shutdown, exits, timers } = setup(5000);
    source.emit('SIGTERM');
    source.emit('SIGINT');
    expect(shutdown.abort.aborted).toBe(true);
    expect(exits).toEqual([]);
    timers[0]?.();
    expect(exits).toEqual([143]);
  });

  it('stops listening after dispose', () => {
    const { source, shutdown } = setup();
    shutdown.dispose();
    source.emit('SIGINT');
    expect(shutdown.drain.aborted).toBe(false);
  });
});
