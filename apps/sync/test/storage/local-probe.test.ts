import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalStorage, StorageError } from '../../src/storage/index.js';

// Root ignores permission bits, so a read-only directory only fails the probe for other users;
// the tests that must fail everywhere use a regular file where a directory belongs (ENOTDIR/EEXIST).
const isRoot = process.getuid?.() === 0;

describe('LocalStorage.probe', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'grin-local-probe-'));
  });
  afterEach(async () => {
    await chmod(dir, 0o700).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  it('creates raw/, full/RUN/ and meta/RUN/ and leaves no marker file behind', async () => {
    const base = join(dir, 'not-yet', 'storage');
    await new LocalStorage({ basePath: base, runName: 'run1' }).probe();
    expect((await readdir(base)).sort()).toEqual(['full', 'meta', 'raw']);
    expect(await readdir(join(base, 'raw'))).toEqual([]);
    expect(await readdir(join(base, 'full'))).toEqual(['run1']);
    expect(await readdir(join(base, 'full', 'run1'))).toEqual([]);
    expect(await readdir(join(base, 'meta', 'run1'))).toEqual([]);
  });

  it('keeps what the directories already hold', async () => {
    await mkdir(join(dir, 'raw', 'B1'), { recursive: true });
    await writeFile(join(dir, 'raw', 'B1', 'B1.tar.gz'), 'archive');
    await new LocalStorage({ basePath: dir }).probe();
    expect(await readdir(join(dir, 'raw'))).toEqual(['B1']);
    expect(await readdir(join(dir, 'raw', 'B1'))).toEqual(['B1.tar.gz']);
  });

  it('--storage-path that is a regular file: storage_config naming the directory and ENOTDIR', async () => {
    const file = join(dir, 'a-file');
    await writeFile(file, 'not a directory');
    const err = await new LocalStorage({ basePath: file, runName: 'run1' }).probe().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect(err).toMatchObject({ code: 'storage_config', retryable: false });
    const e = err as StorageError;
    expect(e.message).toContain(join(file, 'raw'));
    expect(e.message).toContain('ENOTDIR');
    expect(e.hint).toContain('--storage-path');
    expect((e.cause as { code?: string }).code).toBe('ENOTDIR');
  });

  it('a regular file where raw/ belongs: storage_config naming raw/ and EEXIST', async () => {
    await writeFile(join(dir, 'raw'), 'oops');
    await expect(new LocalStorage({ basePath: dir }).probe()).rejects.toMatchObject({
      code: 'storage_config',
      message: expect.stringContaining(`${join(dir, 'raw')} for storage: cannot create the directory: it exists and is not a directory (EEXIST)`),
    });
  });

  it('checks every area: a file where meta/RUN/ belongs fails after raw/ and full/RUN/ passed', async () => {
    await mkdir(join(dir, 'meta'));
    await writeFile(join(dir, 'meta', 'run1'), 'oops');
    await expect(new LocalStorage({ basePath: dir, runName: 'run1' }).probe()).rejects.toMatchObject({
      code: 'storage_config',
      message: expect.stringContaining(join(dir, 'meta', 'run1')),
    });
    expect(await readdir(join(dir, 'full', 'run1'))).toEqual([]);
  });

  it.skipIf(isRoot)('a read-only directory: storage_config with EACCES (not as root: root may write anyway)', async () => {
    await chmod(dir, 0o500);
    await expect(new LocalStorage({ basePath: dir }).probe()).rejects.toMatchObject({
      code: 'storage_config',
      message: expect.stringContaining('permission denied (EACCES)'),
    });
  });
});
