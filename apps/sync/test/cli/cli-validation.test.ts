import { existsSync } from 'node:fs';
import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSyncArgs } from '../../src/cli/parse-args.js';
import { startHarness, type Harness } from '../helpers/sync-harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ books: 40 });
}, 60_000);

afterAll(async () => {
  await h?.close();
});

const BAD = ['ab/cd', '..', 'ab..cd', '../../etc', 'ab cd', 'ab\tcd', 'ab\u0001cd', 'ab\ncd', 'x', 'a'.repeat(51), 'ab.cd'];

describe('command line', { timeout: 60_000 }, () => {
  it.each(BAD)('--barcodes refuses %j before any I/O (exit 2, hint, no run directory, no request)', async (bad) => {
    const seq = h.seq();
    const storage = join(h.workDir, 'never');
    const result = await h.run(['--run-name', 'bad', '--barcodes', `GOOD123,${bad}`, ...h.grinArgs, '--storage', 'local', '--storage-path', storage]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('refusing barcode');
    expect(result.stderr).toContain('hint: A barcode is 3-50 letters');
    expect(existsSync(h.runDir('bad'))).toBe(false);
    expect(existsSync(storage)).toBe(false);
    expect(h.seq()).toBe(seq);
  });

  it('--barcodes-file refuses a bad line before any I/O, naming the line', async () => {
    const file = join(h.workDir, 'bad-barcodes.txt');
    await writeFile(file, 'GOOD123\n# comment\nabc/../def\n');
    const seq = h.seq();
    const result = await h.run(['--run-name', 'badfile', '--barcodes-file', file, ...h.grinArgs, '--storage', 'local', '--storage-path', join(h.workDir, 'never2')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('line 3');
    expect(existsSync(h.runDir('badfile'))).toBe(false);
    expect(h.seq()).toBe(seq);
  });

  it.each([
    [['--run-name', 'x'], 'nothing selected'],
    [['--run-name', 'x', '--queue', 'converted', '--barcodes', 'ABC'], 'exclude each other'],
    [['--run-name', 'a/b', '--queue', 'converted'], 'invalid run name'],
    [['--run-name', 'x', '--queue', 'sometimes'], 'unknown queue'],
    [['--run-name', 'x', '--queue', 'previous', '--queue', 'previous'], '--queue previous is given twice'],
    [['--run-name', 'x', '--queue', 'converted', '--conversion-queue-limit', '60000'], '--conversion-queue-limit must be'],
    [['--run-name', 'x', '--queue', 'converted', '--storage', 'local'], '--storage local needs --storage-path'],
    [['--run-name', 'x', '--queue', 'converted', '--storage', 's3', '--bucket-raw', 'b'], 'needs --region'],
    [['--run-name', 'x', '--queue', 'converted', '--bucket-raw', 'b'], 'needs --storage s3'],
    [['--run-name', 'x', '--queue', 'converted', '--limit', '0'], '--limit must be'],
    [['--run-name', 'x', '--queue', 'converted', '--frobnicate'], "Unknown option '--frobnicate'"],
  ])('usage error %j', async (args, message) => {
    const result = await h.run(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('--help prints the usage and exits 0', async () => {
    const result = await h.run(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: pnpm run sync');
    expect(parseSyncArgs(['--', '--run-name', 'r', '--queue', 'converted']).runName).toBe('r');
    expect(parseSyncArgs(['--run-name', 'r', '--queue', 'converted', '--queue', 'previous', '--queue', 'unconverted']).selection).toEqual({ kind: 'queues', queues: ['converted', 'previous', 'unconverted'] });
    expect(parseSyncArgs(['--run-name', 'r', '--queue', 'previous'])).toMatchObject({ extractMarc: true, extractOcr: true, compressFull: true, skipCsvExport: false, conversionQueueLimit: 50_000 });
  });

  it('--dry-run touches nothing: no lock, no catalogue writes, no storage writes, no archive requests', async () => {
    const storage = join(h.workDir, 'store-dry');
    const barcodes = h.converted(3);
    // A real run first, so the dry run meets an existing catalogue and storage.
    expect((await h.run(['--run-name', 'dry', '--barcodes', barcodes.slice(0, 2).join(','), ...h.grinArgs, '--storage', 'local', '--storage-path', storage])).code).toBe(0);
    const snapshot = async (dir: string): Promise<string[]> =>
      Promise.all((await readdir(dir, { recursive: true })).sort().map(async (f) => `${f}:${(await stat(join(dir, f))).mtimeMs}`));
    const runBefore = await snapshot(h.runDir('dry'));
    const storageBefore = await snapshot(storage);
    const seq = h.seq();

    const result = await h.run(['--run-name', 'dry', '--queue', 'converted', '--limit', '3', '--dry-run', ...h.grinArgs]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Dry run');
    expect(result.stdout).toContain("GRIN's _converted listing (first 3): 3 volumes");
    expect(result.stdout).toContain(`first:       ${barcodes.join(', ')}`);
    expect(result.stdout).toContain(`storage:     local ${storage}`);
    expect(result.stdout).toContain('5 downloads, 7 processing workers');
    expect(await snapshot(h.runDir('dry'))).toEqual(runBefore);
    expect(await snapshot(storage)).toEqual(storageBefore);
    const requests = h.sim.requestLog().filter((r) => r.seq > seq).map((r) => r.endpoint);
    expect(requests.filter((e) => e === 'archive-head' || e === 'archive-get')).toEqual([]);

    // A dry run of a run that does not exist creates nothing at all.
    const fresh = await h.run(['--run-name', 'dryfresh', '--barcodes', barcodes.join(','), '--dry-run', ...h.grinArgs, '--storage', 'local', '--storage-path', join(h.workDir, 'store-dry2')]);
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).toContain('3 barcodes from --barcodes: 3 volumes');
    expect(existsSync(h.runDir('dryfresh'))).toBe(false);
    expect(existsSync(join(h.workDir, 'store-dry2'))).toBe(false);
  });
});
