import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fsyncDir } from '../../src/storage/fs-atomic.js';
import { LocalStorage } from '../../src/storage/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'grin-fs-atomic-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('fsyncDir shared between callers', () => {
  it('serves every concurrent caller, and callers arriving later again', async () => {
    const settled = await Promise.allSettled(Array.from({ length: 12 }, () => fsyncDir(dir)));
    expect(settled.map((s) => s.status)).toEqual(Array(12).fill('fulfilled'));
    await expect(fsyncDir(dir)).resolves.toBeUndefined();
  });

  it('fails the running and the queued callers when the directory is gone, and recovers', async () => {
    const missing = join(dir, 'nope');
    const settled = await Promise.allSettled([fsyncDir(missing), fsyncDir(missing), fsyncDir(missing)]);
    expect(settled.map((s) => (s.status === 'rejected' ? (s.reason as NodeJS.ErrnoException).code : 'ok'))).toEqual(['ENOENT', 'ENOENT', 'ENOENT']);
    await expect(fsyncDir(dir)).resolves.toBeUndefined();
  });
});

describe('LocalStorage.putFull directory', () => {
  it('makes full/RUN/ again when it was removed during the run', async () => {
    const storage = new LocalStorage({ basePath: dir, runName: 'r' });
    const first = await storage.putFull('A_ocr.jsonl.gz', Buffer.from('a'), {});
    await rm(join(dir, 'full'), { recursive: true });
    // The first write after the removal fails (the directory is known as made) and says so ...
    await expect(storage.putFull('B_ocr.jsonl.gz', Buffer.from('b'), {})).rejects.toThrow(/could not store|ENOENT/);
    // ... and the retry makes it again.
    const again = await storage.putFull('B_ocr.jsonl.gz', Buffer.from('b'), {});
    expect(again.location).not.toBe(first.location);
    expect(await readdir(join(dir, 'full', 'r'))).toEqual(['B_ocr.jsonl.gz']);
  });
});
