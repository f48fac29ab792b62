import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Args } from '../helpers/s3-check.js';
import { startHarness, type Harness, type RunResult } from '../helpers/sync-harness.js';
import { startS3rver, type S3rverHarness } from '../storage/s3rver-harness.js';

let h: Harness;
let s3: S3rverHarness;

beforeAll(async () => {
  [h, s3] = await Promise.all([startHarness({ books: 20 }), startS3rver()]);
}, 60_000);

afterAll(async () => {
  await Promise.all([h?.close(), s3?.stop()]);
});

/** `s3Args` with one flag's value replaced. */
function s3ArgsWith(flag: string, value: string): string[] {
  const args = s3Args(s3);
  const i = args.indexOf(flag);
  expect(i).toBeGreaterThanOrEqual(0);
  args[i + 1] = value;
  return args;
}

/** An expected failure: message + hint, never a stack trace. */
function expectReported(result: RunResult): void {
  expect(result.stderr).toMatch(/^error: /m);
  expect(result.stderr).toMatch(/^hint: /m);
  expect(result.stderr).not.toMatch(/^\s+at /m);
}

describe('storage start-up probe', { timeout: 60_000 }, () => {
  it('a mistyped --bucket-raw stops the run at once: exit 3, error + hint, no archive downloaded, nothing recorded', async () => {
    const seq = h.seq();
    const result = await h.run(['--run-name', 'badbucket', '--queue', 'converted', '--limit', '3', ...h.grinArgs, ...s3ArgsWith('--bucket-raw', 'grin-rwa')]);
    expect(result.code, result.stderr).toBe(3);
    expectReported(result);
    expect(result.stderr).toContain(`error: bucket grin-rwa (raw) does not exist at ${s3.endpoint}`);
    expect(result.stderr).toContain('--bucket-raw');
    expect(h.downloads(seq).size).toBe(0);
    // The bad settings are not recorded, so the next run without storage flags cannot reuse them.
    expect(existsSync(join(h.runDir('badbucket'), 'run_config.json'))).toBe(false);
    expect(existsSync(join(h.runDir('badbucket'), 'books.db'))).toBe(false);
  });

  it('credentials the storage refuses: exit 3 with a credentials hint, no archive downloaded', async () => {
    const seq = h.seq();
    const result = await h.run(['--run-name', 'badkey', '--queue', 'converted', '--limit', '3', ...h.grinArgs, ...s3ArgsWith('--access-key-id', 'WRONG')]);
    expect(result.code, result.stderr).toBe(3);
    expectReported(result);
    expect(result.stderr).toContain('storage refused the credentials for bucket grin-raw');
    expect(result.stderr).toContain('hint: check --access-key-id/--secret-access-key');
    expect(h.downloads(seq).size).toBe(0);
  });

  it('an unreachable endpoint: exit 7 naming the endpoint, no archive downloaded', async () => {
    const seq = h.seq();
    const result = await h.run(['--run-name', 'noendpoint', '--queue', 'converted', '--limit', '3', ...h.grinArgs, ...s3ArgsWith('--endpoint', 'http://127.0.0.1:1')]);
    expect(result.code, result.stderr).toBe(7);
    expectReported(result);
    expect(result.stderr).toContain('error: storage at http://127.0.0.1:1 is unreachable');
    expect(h.downloads(seq).size).toBe(0);
  });

  it('a --storage-path that is a regular file: exit 3 naming the directory, no archive downloaded', async () => {
    const file = join(h.workDir, 'not-a-directory');
    await writeFile(file, 'x');
    const seq = h.seq();
    const result = await h.run(['--run-name', 'badpath', '--queue', 'converted', '--limit', '3', ...h.grinArgs, '--storage', 'local', '--storage-path', file]);
    expect(result.code, result.stderr).toBe(3);
    expectReported(result);
    expect(result.stderr).toContain(`error: cannot use ${join(file, 'raw')} for storage`);
    expect(result.stderr).toContain('hint: check --storage-path');
    expect(h.downloads(seq).size).toBe(0);
  });

  it('good settings pass the probe and the run syncs', async () => {
    const result = await h.run(['--run-name', 'goods3', '--queue', 'converted', '--limit', '2', ...h.grinArgs, ...s3Args(s3)]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('2 synced');
  });
});
