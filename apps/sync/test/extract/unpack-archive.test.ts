import { lstat, mkdir, readFile, readlink, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CorruptArchiveError, UnpackDestinationError, unpackArchive, UnsafeArchiveError } from '../../src/extract/index.js';
import { buildTarGz, imageBytes, makeSandbox, streamOf, type TestEntry } from './archive-fixtures.js';

describe('unpackArchive', () => {
  let sandbox: Awaited<ReturnType<typeof makeSandbox>>;
  beforeEach(async () => {
    sandbox = await makeSandbox();
  });
  afterEach(async () => {
    await sandbox.cleanup();
  });

  it('writes files, directories and inside links', async () => {
    const image = imageBytes(100_000);
    const archive = await buildTarGz([
      { name: './', type: 'directory' },
      { name: 'vol/', type: 'directory' },
      { name: 'vol/B.xml', content: '<mets/>' },
      { name: 'vol/deep/er/00000001.txt', content: 'page', mode: 0o4755 },
      { name: 'vol/00000001.jp2', content: image },
      { name: 'vol/same.txt', type: 'link', linkname: 'vol/B.xml' },
      { name: 'vol/up', type: 'symlink', linkname: '../vol/deep' },
      { name: 'vol/dangling', type: 'symlink', linkname: 'nothing/here' },
      { name: 'vol/B.xml', content: '<mets>replaced</mets>' }, // a later entry replaces
    ]);
    const dest = join(sandbox.staging, 'B');
    const summary = await unpackArchive(streamOf(archive), dest);
    expect(summary).toEqual({ entries: 9, files: 5, bytes: 7 + 4 + image.length + 21 });
    expect(await readFile(join(dest, 'vol/B.xml'), 'utf8')).toBe('<mets>replaced</mets>');
    expect(await readFile(join(dest, 'vol/same.txt'), 'utf8')).toBe('<mets/>');
    expect((await readFile(join(dest, 'vol/00000001.jp2'))).equals(image)).toBe(true);
    expect(await readlink(join(dest, 'vol/up'))).toBe('../vol/deep');
    const mode = (await lstat(join(dest, 'vol/deep/er/00000001.txt'))).mode & 0o7777;
    expect(mode & 0o7000).toBe(0); // setuid dropped
  });

  it('accepts an existing empty destination and refuses a non-empty one', async () => {
    const archive = await buildTarGz([{ name: 'a.txt', content: 'a' }]);
    await unpackArchive(streamOf(archive), sandbox.staging);
    expect(await readdir(sandbox.staging)).toEqual(['a.txt']);
    await expect(unpackArchive(streamOf(archive), sandbox.staging)).rejects.toBeInstanceOf(UnpackDestinationError);
  });

  const good: TestEntry[] = [
    { name: 'vol/', type: 'directory' },
    { name: 'vol/B.xml', content: '<mets/>' },
    { name: 'vol/00000001.txt', content: 'page one' },
    { name: 'vol/00000001.jp2', content: imageBytes(50_000) },
  ];
  const hostile: [string, TestEntry[]][] = [
    ['a ../ entry', [{ name: 'vol/../../escape.txt', content: 'x' }]],
    ['a bare .. entry', [{ name: '..', type: 'directory' }]],
    ['a backslash .. entry', [{ name: 'vol\\..\\..\\escape.txt', content: 'x' }]],
    ['an absolute path', [{ name: '/tmp/grin-unpack-absolute.txt', content: 'x' }]],
    ['a symlink escaping', [{ name: 'vol/evil', type: 'symlink', linkname: '../../outside' }]],
    ['an absolute symlink', [{ name: 'vol/etc', type: 'symlink', linkname: '/etc' }]],
    [
      'a file written through an inside symlink',
      [
        { name: 'vol/link', type: 'symlink', linkname: '.' },
        { name: 'vol/link/x.txt', content: 'x' },
      ],
    ],
    [
      'a symlink chain resolving outside',
      [
        { name: 'vol/a/', type: 'directory' },
        { name: 'vol/a/b', type: 'symlink', linkname: '../..' },
        { name: 'vol/q', type: 'symlink', linkname: 'a/b/..' },
      ],
    ],
    ['a hardlink escaping', [{ name: 'vol/hard', type: 'link', linkname: '../../outside.txt' }]],
    ['a hardlink to an absolute path', [{ name: 'vol/hard', type: 'link', linkname: '/etc/passwd' }]],
    ['a hardlink to something not in the archive', [{ name: 'vol/hard', type: 'link', linkname: 'vol/missing' }]],
    ['a character device', [{ name: 'vol/null', type: 'character-device' }]],
    ['a FIFO', [{ name: 'vol/pipe', type: 'fifo' }]],
  ];

  describe.each([
    ['a new destination', false],
    ['an existing empty destination', true],
  ])('into %s', (_label, preexisting) => {
    it.each(hostile)('refuses %s, removes its partial output and writes nothing outside', async (_name, entries) => {
      const dest = join(sandbox.staging, 'B');
      if (preexisting) await mkdir(dest);
      // A file next to the staging area must survive, and nothing may appear beside it.
      await writeFile(join(sandbox.root, 'outside.txt'), 'keep me');
      const before = await sandbox.listing();
      const error = await unpackArchive(streamOf(await buildTarGz([...good, ...entries])), dest).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnsafeArchiveError);
      expect((error as UnsafeArchiveError).code).toBe('archive_unsafe');
      expect((error as UnsafeArchiveError).hint).not.toBe('');
      const after = await sandbox.listing();
      expect(after).toEqual(preexisting ? before : before.filter((path) => path !== join('staging', 'B')));
      if (preexisting) expect(await readdir(dest)).toEqual([]);
      expect(await readFile(join(sandbox.root, 'outside.txt'), 'utf8')).toBe('keep me');
      await expect(lstat('/tmp/grin-unpack-absolute.txt')).rejects.toThrow();
    });
  });

  it('names the refused entry', async () => {
    const error = await unpackArchive(streamOf(await buildTarGz([...good, { name: 'vol/../../x', content: 'x' }])), join(sandbox.staging, 'B')).catch(
      (e: unknown) => e,
    );
    expect((error as UnsafeArchiveError).entry).toBe('vol/../../x');
    expect((error as Error).message).toContain('vol/../../x');
  });

  it('removes its partial output when the archive is truncated', async () => {
    const archive = await buildTarGz(good);
    const dest = join(sandbox.staging, 'B');
    const error = await unpackArchive(streamOf(archive.subarray(0, archive.length - 200)), dest).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptArchiveError);
    expect(await readdir(sandbox.staging)).toEqual([]);
  });
});
