import { describe, expect, it } from 'vitest';
import { colorAllowed, isCI, selectMode } from '../src/index.js';

const tty = { isTTY: true };
const pipe = { isTTY: false };

describe('selectMode', () => {
  it('picks tty only for a TTY, outside CI, with a capable TERM', () => {
    expect(selectMode('auto', { TERM: 'xterm-256color' }, tty)).toBe('tty');
    expect(selectMode(undefined, {}, tty)).toBe('tty');
    expect(selectMode('auto', { TERM: 'xterm' }, pipe)).toBe('plain');
    expect(selectMode('auto', {}, {})).toBe('plain');
    expect(selectMode('auto', { CI: 'true' }, tty)).toBe('plain');
    expect(selectMode('auto', { GITHUB_ACTIONS: 'true' }, tty)).toBe('plain');
    expect(selectMode('auto', { TERM: 'dumb' }, tty)).toBe('plain');
  });

  it('lets GRIN_PROGRESS override auto', () => {
    expect(selectMode('auto', { GRIN_PROGRESS: 'json' }, tty)).toBe('json');
    expect(selectMode('auto', { GRIN_PROGRESS: 'tty' }, pipe)).toBe('tty');
    expect(selectMode('auto', { GRIN_PROGRESS: ' OFF ' }, tty)).toBe('off');
    expect(selectMode('auto', { GRIN_PROGRESS: 'plain', CI: '1' }, tty)).toBe('plain');
    expect(selectMode('auto', { GRIN_PROGRESS: 'fancy' }, tty)).toBe('tty');
  });

  it('lets an explicit option win over the environment', () => {
    expect(selectMode('plain', { GRIN_PROGRESS: 'json' }, tty)).toBe('plain');
    expect(selectMode('off', {}, tty)).toBe('off');
  });
});

describe('isCI and colorAllowed', () => {
  it('treats CI=false or 0 as not CI', () => {
    expect(isCI({ CI: 'false' })).toBe(false);
    expect(isCI({ CI: '0' })).toBe(false);
    expect(isCI({ CI: '' })).toBe(false);
    expect(isCI({ CI: 'woodpecker' })).toBe(true);
  });

  it('honours NO_COLOR when set to anything non-empty', () => {
    expect(colorAllowed({})).toBe(true);
    expect(colorAllowed({ NO_COLOR: '1' })).toBe(false);
    expect(colorAllowed({ NO_COLOR: '' })).toBe(true);
    expect(colorAllowed({ TERM: 'dumb' })).toBe(false);
  });
});
