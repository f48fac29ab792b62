import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { ExitCode, UsageError, defaultRunName, runCli, runDirectory, validateRunName, writeJsonAtomic } from '../src/index.js';

class LockedError extends Error {
  readonly code = 'run_locked';
  readonly hint = 'Wait for the other run to finish.';
}

async function run(main: () => Promise<number>) {
  const stderr = new PassThrough();
  let text = '';
  stderr.on('data', (c: Buffer) => (text += c.toString()));
  let exited = -1;
  await runCli(main, {
    stderr,
    exit: (code) => (exited = code),
    exitCodeFor: (e) => (e.code === 'run_locked' ? ExitCode.locked : undefined),
  });
  return { exited, text };
}

describe('runCli', () => {
  it('maps expected errors to their exit code and prints message and hint without a stack', async () => {
    const { exited, text } = await run(async () => {
      throw new LockedError('run directory output/x is in use by pid 42');
    });
    expect(exited).toBe(ExitCode.locked);
    expect(text).toBe('error: run directory output/x is in use by pid 42\nhint: Wait for the other run to finish.\n');
  });

  it('maps usage errors to 2 and unexpected errors to 70 with a stack', async () => {
    expect((await run(async () => Promise.reject(new UsageError('unknown option --x')))).exited).toBe(2);
    const bug = await run(async () => Promise.reject(new TypeError('x is undefined')));
    expect(bug.exited).toBe(ExitCode.internal);
    expect(bug.text).toContain('this is a bug');
    expect(bug.text).toContain('TypeError: x is undefined');
  });

  it('passes the main function result through', async () => {
    expect((await run(async () => 0)).exited).toBe(0);
  });
});

describe('run paths', () => {
  it('resolves the run directory against INIT_CWD, where the user typed pnpm run', () => {
    expect(runDirectory('r1', { env: { INIT_CWD: '/home/lib' } })).toBe('/home/lib/output/r1');
    expect(runDirectory('r1', { env: { INIT_CWD: '/home/lib' }, outputRoot: '/data' })).toBe('/data/r1');
  });

  it('refuses run names that are not plain', () => {
    for (const bad of ['../x', 'a/b', '', 'a b', 'x'.repeat(101)]) expect(() => validateRunName(bad)).toThrow(UsageError);
    expect(validateRunName('harvard_2026-1')).toBe('harvard_2026-1');
  });

  it('names default runs after the local time', () => {
    expect(defaultRunName(new Date(2026, 0, 2, 3, 4, 5))).toBe('run_20260102_030405');
  });
});

describe('writeJsonAtomic', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('replaces the file and leaves no temp file behind', async () => {
    dir = await mkdtemp(join(tmpdir(), 'grin-run-'));
    const path = join(dir, 'a', 'progress.json');
    await writeJsonAtomic(path, { a: 1 });
    await writeJsonAtomic(path, { a: 2 });
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ a: 2 });
    expect(await readdir(join(dir, 'a'))).toEqual(['progress.json']);
  });
});
