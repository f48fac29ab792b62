import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STOP_AT_ENV, STOPPED_MARKER } from '../../src/cli/test-hooks.js';
import { checkExtracted } from '../helpers/extraction-check.js';
import { checkS3Synced, listKeys, s3Args, s3Client } from '../helpers/s3-check.js';
import { checkLocalSynced, listFiles, sha256File, startHarness, waitExit, type Harness } from '../helpers/sync-harness.js';
import { waitFor } from '../helpers/wait.js';
import { startS3rver, type S3rverHarness } from '../storage/s3rver-harness.js';

let h: Harness;
let s3: S3rverHarness;
let client: S3Client;

beforeAll(async () => {
  // Archives of ~600 KB so a kill can land in the middle of one.
  [h, s3] = await Promise.all([startHarness({ books: 240, archiveBytes: 600 * 1024 }), startS3rver()]);
  client = s3Client(s3);
}, 90_000);

afterAll(async () => {
  client?.destroy();
  await Promise.all([h?.close(), s3?.stop()]);
});

const VOLUMES = 6;
let nextSlice = 0;
/** Fresh barcodes for each case, so every case starts with nothing stored. */
function takeBarcodes(): string[] {
  const all = h.converted(VOLUMES * 12);
  if (all.length < nextSlice + VOLUMES) throw new Error('the simulated library has too few converted volumes');
  const out = all.slice(nextSlice, nextSlice + VOLUMES);
  nextSlice += VOLUMES;
  return out;
}

/** Barcodes whose complete archive (with the matching ETag recorded beside it) is in local storage. */
async function storedLocal(storage: string, barcodes: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const b of barcodes) {
    const path = join(storage, 'raw', b, `${b}.tar.gz`);
    if (!existsSync(path)) continue;
    const truth = await h.sim.library.archive(b);
    // Whatever is at a final path must be complete: never a partial object.
    expect(await sha256File(path)).toBe(truth.plaintextSha256);
    if (existsSync(`${path}.meta.json`)) {
      const sidecar = JSON.parse(await readFile(`${path}.meta.json`, 'utf8')) as { encrypted_etag: string };
      if (sidecar.encrypted_etag === truth.etag) out.push(b);
    }
  }
  return out;
}

/** Spawns the CLI stopped at `point` (SIGSTOP), SIGKILLs it there, and returns what it printed. */
async function killAt(args: string[], point: string): Promise<string> {
  const child = h.spawn(args, { [STOP_AT_ENV]: point });
  let exited: number | null = null;
  void waitExit(child).then((code) => (exited = code));
  await waitFor(() => child.output().stderr.includes(STOPPED_MARKER) || exited !== null, `the CLI to reach ${point}`, 60_000);
  expect(exited, `the CLI exited before reaching ${point}: ${JSON.stringify(child.output())}`).toBe(null);
  child.kill('SIGKILL');
  await waitExit(child);
  return child.output().stderr;
}

const pipelineArgs = ['--download-concurrency', '2', '--workers', '2'];

describe('SIGKILL at any point, then rerun', { timeout: 120_000 }, () => {
  it.each([
    ['startup', 'at start-up (lock and session taken, nothing done)'],
    ['download:3', 'while downloading (third volume half received; gpg mid-stream)'],
    ['plaintext:3', 'mid-decrypt (plaintext flowing into the pending object)'],
    ['committed:2', 'right after a commit, before verification and the catalogue record'],
    ['recorded:4', 'after synced was recorded, before the catalogue flush'],
    ['flush:1', 'in the catalogue flush (a batch with synced events pending)'],
  ])('local storage, killed %s: %s', async (point) => {
    const barcodes = takeBarcodes();
    const runName = `kill-${point.replace(':', '-')}`;
    const storage = join(h.workDir, `store-${runName}`);
    const args = ['--run-name', runName, '--barcodes', barcodes.join(','), ...h.grinArgs, '--storage', 'local', '--storage-path', storage, ...pipelineArgs];
    const stderr = await killAt(args, point);
    expect(stderr).toContain(`${STOPPED_MARKER} ${point.split(':')[0]}`);

    const storedBefore = await storedLocal(storage, barcodes);
    const seq = h.seq();
    const rerun = await h.run(args);
    expect(rerun.code, rerun.stderr).toBe(0);
    // Every volume stored exactly once and correct, the catalogue agrees, no temp file left.
    expect(await checkLocalSynced(h, runName, storage, barcodes)).toEqual([]);
    expect((await listFiles(storage)).filter((f) => f.includes('.partial') || f.includes('.tmp'))).toEqual([]);
    // Nothing that was already stored and verified is downloaded again; the rest at most once.
    const gets = h.downloads(seq);
    for (const b of storedBefore) expect(gets.get(b) ?? 0, `${b} was stored before the kill`).toBe(0);
    for (const b of barcodes) expect(gets.get(b) ?? 0).toBeLessThanOrEqual(1);
    if (point === 'committed:2' || point === 'flush:1') {
      // Volumes committed but not recorded are taken from storage, not downloaded: read back for
      // the extraction stages, whose outputs the killed run may not have stored.
      expect(rerun.stdout).toMatch(/[1-9]\d* read back from storage for extraction/);
      expect(await checkExtracted(h, runName, { kind: 'local', storageDir: storage }, barcodes)).toEqual([]);
    }
  });

  it.each([['download:3'], ['committed:2']])('S3 storage, killed at %s: no object without metadata, each stored once', async (point) => {
    const barcodes = takeBarcodes();
    const runName = `s3kill-${point.replace(':', '-')}`;
    const args = ['--run-name', runName, '--barcodes', barcodes.join(','), ...h.grinArgs, ...s3Args(s3), ...pipelineArgs];
    await killAt(args, point);
    // After the kill: every visible object is complete (metadata present, bytes equal the original).
    const visible = (await listKeys(client, s3.buckets.raw, `${runName}/`)).map((k) => k.slice(runName.length + 1, -'.tar.gz'.length));
    expect(await checkS3Synced(h, client, s3.buckets.raw, runName, visible)).toEqual([]);

    const seq = h.seq();
    const rerun = await h.run(args);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(await checkS3Synced(h, client, s3.buckets.raw, runName, barcodes)).toEqual([]);
    const gets = h.downloads(seq);
    for (const b of visible) expect(gets.get(b) ?? 0, `${b} was stored before the kill`).toBe(0);
    for (const b of barcodes) expect(gets.get(b) ?? 0).toBeLessThanOrEqual(1);
  });

  it('a second run of the same run name is refused while the first holds it (exit 5)', async () => {
    const barcodes = takeBarcodes();
    const args = ['--run-name', 'locked', '--barcodes', barcodes.join(','), ...h.grinArgs, '--storage', 'local', '--storage-path', join(h.workDir, 'store-locked')];
    const child = h.spawn(args, { [STOP_AT_ENV]: 'startup' });
    await waitFor(() => child.output().stderr.includes(STOPPED_MARKER), 'the first run to hold the lock', 60_000);
    const second = await h.run(args);
    child.kill('SIGKILL');
    await waitExit(child);
    expect(second.code).toBe(5);
    expect(second.stderr).toContain('locked by process');
    expect(second.stderr).toContain('hint:');
  });
});
