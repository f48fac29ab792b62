import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SYNC_NODE_FLAGS } from '../../src/node-flags.js';

const scriptsOf = (relative: string): Record<string, string> =>
  (JSON.parse(readFileSync(fileURLToPath(new URL(relative, import.meta.url)), 'utf8')) as { scripts: Record<string, string> }).scripts;

describe('node flags of the sync process', () => {
  // The benchmark measures the process with SYNC_NODE_FLAGS; users start it through these scripts.
  it.each([
    ['../../../../package.json', 'sync'],
    ['../../../../package.json', 'demo'],
    ['../../package.json', 'cli'],
    ['../../package.json', 'demo'],
  ])('%s script %s starts node with them', (file, script) => {
    const command = scriptsOf(file)[script] ?? '';
    expect(command.startsWith(`node ${SYNC_NODE_FLAGS.join(' ')} --import tsx `)).toBe(true);
  });

  it('are accepted by this node', () => {
    // An unknown or malformed flag would make every start of the sync fail.
    const run = spawnSync(process.execPath, [...SYNC_NODE_FLAGS, '-e', 'process.stdout.write("ok")'], { encoding: 'utf8' });
    expect({ status: run.status, stdout: run.stdout, stderr: run.stderr }).toEqual({ status: 0, stdout: 'ok', stderr: '' });
  });
});
