import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectInProcess, makeTempDir, readBooks, runDir } from './helpers/run-collect.js';
import { startTestGrin, type TestGrin } from './helpers/simulated-grin.js';

let grin: TestGrin;
let temp: { dir: string; cleanup: () => void };
beforeAll(async () => {
  grin = await startTestGrin({ books: 1_200 });
  temp = makeTempDir();
});
afterAll(async () => {
  await grin.close();
  temp.cleanup();
});

const args = (run: string, ...more: string[]): string[] => [...grin.args, '--run-name', run, '--page-size', '500', ...more];
const withArg = (argv: string[], name: string, value: string): string[] => {
  const copy = [...argv];
  copy[copy.indexOf(name) + 1] = value;
  return copy;
};

describe('expected failures: exit code and hint, nothing half-done', () => {
  it('a library directory the account cannot read -> exit 4 (permission)', async () => {
    const run = await collectInProcess(withArg(args('perm'), '--library-directory', 'SomeoneElse'), temp.dir);
    expect(run.exitCode).toBe(4);
    expect(run.error?.code).toBe('permission_denied');
    expect(run.error?.hint).toMatch(/access to this GRIN library directory/);
  });

  it('a refused refresh token -> exit 4 (auth refused)', async () => {
    const creds = join(temp.dir, 'revoked');
    cpSync(grin.credentialsDir, creds, { recursive: true });
    const file = join(creds, 'credentials.json');
    const stored = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...stored, token: null, expiry: null, refresh_token: 'revoked-token' }));
    const run = await collectInProcess(withArg(args('revoked'), '--credentials-dir', creds), temp.dir);
    expect(run.exitCode).toBe(4);
    expect(run.error?.code).toBe('auth_refused');
    expect(run.error?.hint).toMatch(/auth -- setup/);
  });

  it('an unreadable books.db -> exit 6 with a hint', async () => {
    mkdirSync(runDir(temp.dir, 'garbage'), { recursive: true });
    writeFileSync(join(runDir(temp.dir, 'garbage'), 'books.db'), 'this is not a database '.repeat(100));
    const run = await collectInProcess(args('garbage'), temp.dir);
    expect(run.exitCode).toBe(6);
    expect(run.error?.code).toBe('catalogue_unreadable');
    expect(run.error?.hint).toMatch(/not an SQLite database|damaged/);
  });

  it('GRIN unavailable after all retries -> exit 7, stored pages kept, resume command printed', async () => {
    grin.sim.setFaults([{ endpoint: 'listing', kind: 'status-503', match: { pageNumber: 2 } }]);
    try {
      const run = await collectInProcess(args('down'), temp.dir);
      expect(run.exitCode).toBe(7);
      expect(run.error?.code).toBe('server_error');
      expect(run.stderr).toMatch(/resume with:\n {2}pnpm run collect -- --library-directory Simulated --run-name down/);
      expect(readBooks(join(runDir(temp.dir, 'down'), 'books.db')).length).toBe(500);
    } finally {
      grin.sim.setFaults([]);
    }
    const rerun = await collectInProcess(args('down'), temp.dir);
    expect(rerun.code).toBe(0);
    expect(readBooks(join(runDir(temp.dir, 'down'), 'books.db')).length).toBe(1_200);
  });

  it('a run of another library -> exit 3; changed parameters -> a warning; --expected-total -> the estimate', async () => {
    const first = await collectInProcess(args('params', '--limit', '500', '--expected-total', '1200'), temp.dir);
    expect(first.code).toBe(0);
    const progress = JSON.parse(readFileSync(join(runDir(temp.dir, 'params'), 'progress.json'), 'utf8'));
    expect(progress).toMatchObject({ total_books_estimate: 1200, progress_tracking: { total_estimate_method: 'expected_total' } });
    expect(progress.progress_tracking.completion_percentage).toBeCloseTo(41.67, 1);

    const otherGrin = await startTestGrin({ books: 10, libraryDirectory: 'Other' });
    try {
      const other = await collectInProcess([...otherGrin.args, '--run-name', 'params', '--page-size', '500'], temp.dir);
      expect(other.exitCode).toBe(3);
      expect(other.error?.code).toBe('library_mismatch');
      expect(other.error?.hint).toMatch(/--library-directory Simulated to resume this run/);
    } finally {
      await otherGrin.close();
    }

    const changed = await collectInProcess(withArg(args('params'), '--page-size', '400'), temp.dir);
    expect(changed.code).toBe(0);
    expect(changed.stderr).toMatch(/warning: the collect parameters of _all_books changed since the last session/);
    expect(readBooks(join(runDir(temp.dir, 'params'), 'books.db')).length).toBe(1_200);
  });
});
