import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '@grin/run';
import { COLLECT_EXIT_CODES, ProgressFile, parseCollectArgs, rebaseUrl, resumeCommand } from '../src/index.js';
import { MemoryPacer } from '../src/memory-pacer.js';
import { makeTempDir } from './helpers/run-collect.js';

const env = { INIT_CWD: '/home/me/work' };

describe('parseCollectArgs', () => {
  it('drops the `--` pnpm passes through and resolves paths against INIT_CWD', () => {
    const o = parseCollectArgs(['--', '--library-directory', 'Harvard', '--run-name', 'h1', '--credentials-dir', 'creds'], env);
    expect(o).toMatchObject({
      libraryDirectory: 'Harvard',
      runName: 'h1',
      list: '_all_books',
      pageSize: 10_000,
      limit: null,
      credentialsDir: '/home/me/work/creds',
      outputDir: '/home/me/work/output',
      simulate: null,
      progress: 'auto',
    });
  });

  it('accepts --simulate with or without a count, and defaults the run name to a timestamp', () => {
    const now = new Date(2026, 0, 2, 3, 4, 5);
    expect(parseCollectArgs(['--simulate'], env, now)).toMatchObject({ simulate: 2000, runName: 'run_20260102_030405', libraryDirectory: undefined });
    expect(parseCollectArgs(['--simulate', '5_000', '--limit', '10'], env).simulate).toBe(5000);
    expect(parseCollectArgs(['--simulate=300', '--refresh'], env)).toMatchObject({ simulate: 300, refresh: true });
    expect(parseCollectArgs(['--limit', '1,000', '--simulate'], env)).toMatchObject({ simulate: 2000, limit: 1000 });
  });

  it('refuses unknown options, bad numbers, missing library directory and conflicting options', () => {
    const bad = [
      ['--library-directory', 'X', '--nope'],
      ['--library-directory', 'X', '--page-size', '0'],
      ['--library-directory', 'X', '--limit', 'ten'],
      ['--run-name', 'x'],
      ['--simulate', '--grin-url', 'http://x/'],
      ['--library-directory', 'X', '--run-name', '../escape'],
      ['--library-directory', 'X', '--progress', 'fancy'],
      ['--library-directory', 'X', 'stray'],
    ];
    for (const argv of bad) expect(() => parseCollectArgs(argv, env), argv.join(' ')).toThrow(UsageError);
  });
});

describe('resumeCommand', () => {
  it('repeats what identifies the run, absolute paths, quoted for a shell; never --limit or --restart', () => {
    const o = parseCollectArgs(
      ['--library-directory', 'Harvard', '--run-name', 'h1', '--page-size', '500', '--limit', '9', '--restart',
        '--credentials-dir', "my creds's dir", '--output-dir', 'out'],
      env,
    );
    expect(resumeCommand(o, 'Harvard', false)).toBe(
      "pnpm run collect -- --library-directory Harvard --run-name h1 --page-size 500 " +
        "--credentials-dir '/home/me/work/my creds'\\''s dir' --output-dir /home/me/work/out",
    );
    expect(resumeCommand(parseCollectArgs(['--simulate', '--run-name', 's'], env), 'Simulated', true)).toBe(
      'pnpm run collect -- --simulate 2000 --run-name s --refresh',
    );
  });
});

describe('rebaseUrl', () => {
  it('moves a saved cursor URL onto the current server, leaving other URLs alone', () => {
    const saved = 'http://127.0.0.1:1111/libraries/Sim/_all_books?result_count=10&first=20';
    expect(rebaseUrl(saved, 'Sim', 'http://127.0.0.1:2222/libraries/Sim/')).toBe(
      'http://127.0.0.1:2222/libraries/Sim/_all_books?result_count=10&first=20',
    );
    expect(rebaseUrl(saved, 'Sim', 'http://127.0.0.1:1111/libraries/Sim/')).toBe(saved);
    expect(rebaseUrl('https://elsewhere.example/x?y', 'Sim', 'http://127.0.0.1:2222/libraries/Sim/')).toBe('https://elsewhere.example/x?y');
  });
});

describe('ProgressFile', () => {
  it('rewrites progress.json atomically, archiving the previous copy and keeping the newest 10', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      let ms = Date.UTC(2026, 0, 1);
      const file = new ProgressFile(dir, 10, () => new Date(ms));
      for (let i = 1; i <= 15; i++) {
        await file.write({ n: i });
        ms += i % 3 === 0 ? 0 : 1000; // some writes within the same millisecond
      }
      expect(JSON.parse(readFileSync(join(dir, 'progress.json'), 'utf8'))).toEqual({ n: 15 });
      const backups = await file.backups();
      expect(backups.length).toBe(10);
      // The newest backups are the ten previous versions, oldest first.
      expect(backups.map((b) => JSON.parse(readFileSync(join(dir, b), 'utf8')).n)).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    } finally {
      cleanup();
    }
  });
});

describe('exit codes', () => {
  it('maps the documented failures', () => {
    expect(COLLECT_EXIT_CODES).toMatchObject({
      config_invalid: 3,
      auth_missing: 3,
      auth_refused: 4,
      permission_denied: 4,
      run_locked: 5,
      catalogue_unreadable: 6,
      unavailable: 7,
      protocol: 7,
    });
  });
});

describe('MemoryPacer', () => {
  it('collects once the heap grew by the budget since the last collection, following V8 own collections', () => {
    let used = 100;
    let collections = 0;
    const pacer = new MemoryPacer(50, () => used, () => {
      collections += 1;
      used = 110; // what survives
    });
    pacer.afterPage(); // baseline 100
    used = 140;
    pacer.afterPage();
    expect(collections).toBe(0);
    used = 151;
    pacer.afterPage();
    expect(collections).toBe(1); // baseline now 110
    used = 90; // V8 collected on its own: the baseline follows
    pacer.afterPage();
    used = 139;
    pacer.afterPage();
    expect(collections).toBe(1);
    used = 141;
    pacer.afterPage();
    expect(collections).toBe(2);
  });
});
