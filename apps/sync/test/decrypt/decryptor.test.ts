import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, copyFile, mkdir, readdir, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CorruptArchiveError,
  createDecryptor,
  DecryptAbortedError,
  GpgMissingError,
  IntegrityError,
  LegacyCipherRefusedError,
  PassphraseFileError,
  WrongPassphraseError,
  type Decryptor,
} from '../../src/decrypt/index.js';
import { agentsUsing, collect, makeGpgWorkdir, processExists, startDecryptProcess, type GpgWorkdir } from './gpg-fixtures.js';

let work: GpgWorkdir;
let decryptor: Decryptor;
let legacyDecryptor: Decryptor;
const plaintext = randomBytes(700_000);
let aes: Buffer;
let aesNoCompression: Buffer;
let cast5Legacy: Buffer;
let aesNoMdc: Buffer;

beforeAll(async () => {
  work = await makeGpgWorkdir();
  [aes, aesNoCompression, cast5Legacy, aesNoMdc] = await Promise.all([
    // gpg's default S2K (65M iterations) and compression, as `gpg --symmetric` makes them.
    work.encrypt(plaintext, ['--s2k-count', '65011712']),
    work.encrypt(plaintext, ['--compress-algo', 'none']),
    // GnuPG 1.x style: CAST5 and no integrity packet. In gpg 2.2 --rfc2440 is what still
    // produces this (--disable-mdc is ignored for symmetric encryption).
    work.encrypt(plaintext, ['--cipher-algo', 'CAST5', '--rfc2440']),
    work.encrypt(plaintext, ['--rfc2440']),
  ]);
  decryptor = await createDecryptor({ passphraseFile: work.passphraseFile });
  legacyDecryptor = await createDecryptor({ passphraseFile: work.passphraseFile, allowLegacyWithoutIntegrity: true });
}, 60_000);

afterAll(async () => {
  await decryptor?.close();
  await legacyDecryptor?.close();
  await work?.dispose();
});

function flip(buf: Buffer, at: number): Buffer {
  const copy = Buffer.from(buf);
  copy[at] = (copy[at] ?? 0) ^ 0xff;
  return copy;
}

describe('createDecryptor', () => {
  it('round-trips AES256 archives (compressed and not) with integrity verified', async () => {
    for (const ct of [aes, aesNoCompression]) {
      const session = decryptor.decrypt(Readable.from([ct]));
      const { data, error } = await collect(session);
      expect(error).toBeUndefined();
      expect(data.equals(plaintext)).toBe(true);
      expect(await session.done).toEqual({ cipher: 'AES256', integrityProtected: true, bytesIn: ct.length, bytesOut: plaintext.length });
    }
    expect(decryptor.gpgVersion).toMatch(/^2\.\d+\.\d+$/);
  });

  it('fails a wrong passphrase with WrongPassphraseError, on done and on the output', async () => {
    const wrong = join(work.dir, 'wrong.asc');
    await writeFile(wrong, 'not the passphrase\n', { mode: 0o600 });
    const d = await createDecryptor({ passphraseFile: wrong });
    try {
      const session = d.decrypt(Readable.from([aes]));
      const { data, error } = await collect(session);
      expect(error).toBeInstanceOf(WrongPassphraseError);
      expect(data.length).toBe(0);
      await expect(session.done).rejects.toMatchObject({ code: 'decrypt_bad_passphrase', retryable: false, hint: expect.stringContaining('passphrase') });
    } finally {
      await d.close();
    }
  });

  it('detects a flipped byte in the middle (integrity) and never ends the output normally', async () => {
    const session = decryptor.decrypt(Readable.from([flip(aesNoCompression, Math.floor(aesNoCompression.length / 2))]));
    const { error } = await collect(session);
    expect(error).toBeInstanceOf(IntegrityError);
    await expect(session.done).rejects.toMatchObject({ code: 'decrypt_integrity' });
  });

  it('detects a flipped byte in a compressed archive', async () => {
    const session = decryptor.decrypt(Readable.from([flip(aes, Math.floor(aes.length / 2))]));
    await collect(session);
    const err = await session.done.catch((e: unknown) => e);
    expect(err instanceof IntegrityError || err instanceof CorruptArchiveError).toBe(true);
  });

  it('fails a truncated archive with CorruptArchiveError', async () => {
    const session = decryptor.decrypt(Readable.from([aesNoCompression.subarray(0, Math.floor(aesNoCompression.length * 0.6))]));
    const { error } = await collect(session);
    expect(error).toBeInstanceOf(CorruptArchiveError);
    await expect(session.done).rejects.toMatchObject({ code: 'decrypt_corrupt', retryable: true });
  });

  it('fails data that is not OpenPGP, and empty input, with CorruptArchiveError', async () => {
    for (const input of [Buffer.from('<html>not an archive</html>'.repeat(100)), Buffer.alloc(0)]) {
      const session = decryptor.decrypt(Readable.from([input]));
      await collect(session);
      await expect(session.done).rejects.toBeInstanceOf(CorruptArchiveError);
    }
  });

  it('refuses a legacy CAST5 archive without integrity packet by default, naming the option', async () => {
    const session = decryptor.decrypt(Readable.from([cast5Legacy]));
    await collect(session);
    const err = await session.done.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LegacyCipherRefusedError);
    expect(err).toMatchObject({ code: 'decrypt_legacy_refused', retryable: false, hint: expect.stringContaining('--allow-legacy-without-integrity') });
  });

  it('accepts the legacy CAST5 archive with allowLegacyWithoutIntegrity, flagged as unprotected', async () => {
    const session = legacyDecryptor.decrypt(Readable.from([cast5Legacy]));
    const { data, error } = await collect(session);
    expect(error).toBeUndefined();
    expect(data.equals(plaintext)).toBe(true);
    expect(await session.done).toMatchObject({ cipher: 'CAST5', integrityProtected: false, bytesOut: plaintext.length });
  });

  it('in legacy mode still requires the MDC of modern archives (gpg --ignore-mdc-error would pass them)', async () => {
    const good = legacyDecryptor.decrypt(Readable.from([aesNoCompression]));
    await collect(good);
    expect(await good.done).toMatchObject({ cipher: 'AES256', integrityProtected: true });

    const damaged = legacyDecryptor.decrypt(Readable.from([flip(aesNoCompression, Math.floor(aesNoCompression.length / 2))]));
    await collect(damaged);
    await expect(damaged.done).rejects.toBeInstanceOf(IntegrityError);

    // AES without MDC: no GnuPG produces it by default; looks like MDC stripping. Refused in both modes.
    for (const d of [decryptor, legacyDecryptor]) {
      const stripped = d.decrypt(Readable.from([aesNoMdc]));
      await collect(stripped);
      await expect(stripped.done).rejects.toBeInstanceOf(IntegrityError);
    }
  });

  it('abort mid-stream kills gpg (reaped, no zombie) and rejects with DecryptAbortedError', async () => {
    const big = await work.encrypt(randomBytes(8 * 1024 * 1024), ['--compress-algo', 'none']);
    const controller = new AbortController();
    let fed = 0;
    const input = new Readable({
      read() {
        if (fed >= big.length) return void this.push(null);
        this.push(big.subarray(fed, fed + 65536));
        fed += 65536;
      },
    });
    const session = decryptor.decrypt(input, controller.signal);
    const pid = await session.started;
    expect(pid).toBeTypeOf('number');
    let got = 0;
    const result = await new Promise<unknown>((resolve) => {
      session.output.on('data', (c: Buffer) => {
        got += c.length;
        if (got > 1024 * 1024 && !controller.signal.aborted) controller.abort(new Error('user pressed Ctrl-C twice'));
      });
      session.output.on('error', resolve);
      session.output.on('end', () => resolve('ended'));
    });
    expect(result).toBeInstanceOf(DecryptAbortedError);
    await expect(session.done).rejects.toBeInstanceOf(DecryptAbortedError);
    // done settles on the child's 'close', after Node reaped it: the pid is gone, not a zombie.
    expect(processExists(pid ?? -1)).toBe(false);
    expect(input.destroyed).toBe(true);
    expect(got).toBeLessThan(8 * 1024 * 1024);
  });

  it('an input stream failure (download cut) fails the session with that error and stops gpg', async () => {
    const cut = new Error('socket hang up');
    let sent = false;
    const input = new Readable({
      read() {
        if (!sent) {
          sent = true;
          this.push(aesNoCompression.subarray(0, 200_000));
        } else {
          this.destroy(cut);
        }
      },
    });
    const session = decryptor.decrypt(input);
    const { error } = await collect(session);
    expect(error).toBe(cut);
    await expect(session.done).rejects.toBe(cut);
    expect(processExists(await session.started.catch(() => -1))).toBe(false);
  });

  it('streams 50 MB with backpressure: input read stays within a bounded distance of output consumed', async () => {
    const size = 50 * 1024 * 1024;
    const plainFile = join(work.dir, 'large.bin');
    // Incompressible, like a tar.gz.
    const block = randomBytes(1024 * 1024);
    await writeFile(plainFile, Buffer.concat(Array.from({ length: 50 }, (_, i) => flip(block, i))));
    const encFile = await work.encryptFile(plainFile, ['--compress-algo', 'none']);
    let read = 0;
    const input = createReadStream(encFile, { highWaterMark: 256 * 1024 });
    input.on('data', (c) => (read += c.length));
    let consumed = 0;
    let maxAhead = 0;
    const session = decryptor.decrypt(input);
    await new Promise<void>((resolve, reject) => {
      const slow = new Writable({
        highWaterMark: 64 * 1024,
        write(chunk: Buffer, _e, cb) {
          consumed += chunk.length;
          maxAhead = Math.max(maxAhead, read - consumed);
          setImmediate(cb); // a consumer slower than gpg
        },
      });
      session.output.pipe(slow).on('finish', resolve).on('error', reject);
      session.output.on('error', reject);
    });
    expect(await session.done).toMatchObject({ bytesOut: size, integrityProtected: true });
    expect(consumed).toBe(size);
    // Pipes, stream buffers and gpg's own buffers: a few MiB at most; far below the 50 MB size.
    expect(maxAhead).toBeLessThan(12 * 1024 * 1024);
  }, 60_000);

  it('validates the passphrase file up front and flags loose permissions', async () => {
    await expect(createDecryptor({ passphraseFile: join(work.dir, 'missing.asc') })).rejects.toMatchObject({
      name: 'PassphraseFileError',
      code: 'passphrase_file',
      hint: expect.stringContaining('--passphrase-file'),
    });
    const empty = join(work.dir, 'empty.asc');
    await writeFile(empty, '\n');
    await expect(createDecryptor({ passphraseFile: empty })).rejects.toBeInstanceOf(PassphraseFileError);
    await expect(createDecryptor({ passphraseFile: work.dir })).rejects.toBeInstanceOf(PassphraseFileError);

    expect(decryptor.passphraseFileGroupOrWorldReadable).toBe(false);
    const loose = join(work.dir, 'loose.asc');
    await writeFile(loose, 'x\n');
    await chmod(loose, 0o644);
    const d = await createDecryptor({ passphraseFile: loose });
    expect(d.passphraseFileGroupOrWorldReadable).toBe(true);
    expect(d.passphraseFileMode).toBe(0o644);
    await d.close();
  });

  it('reports a missing gpg with GpgMissingError, up front and when it disappears later', async () => {
    await expect(createDecryptor({ passphraseFile: work.passphraseFile, gpgPath: '/nonexistent/bin/gpg' })).rejects.toMatchObject({
      name: 'GpgMissingError',
      code: 'gpg_missing',
      retryable: false,
      hint: expect.stringContaining('gnupg'),
    });
    const which = await import('node:child_process').then((cp) => cp.execFileSync('sh', ['-c', 'command -v gpg']).toString().trim());
    const copy = join(work.dir, 'gpg');
    await copyFile(which, copy);
    await chmod(copy, 0o755);
    const d = await createDecryptor({ passphraseFile: work.passphraseFile, gpgPath: copy });
    try {
      await unlink(copy);
      const session = d.decrypt(Readable.from([aes]));
      const { error } = await collect(session);
      expect(error).toBeInstanceOf(GpgMissingError);
      await expect(session.done).rejects.toBeInstanceOf(GpgMissingError);
    } finally {
      await d.close();
    }
  });

  it('never puts the passphrase on the command line', async () => {
    const slow = new Readable({ read() {} });
    const session = decryptor.decrypt(slow);
    const { readFile } = await import('node:fs/promises');
    const cmdline = (await readFile(`/proc/${await session.started}/cmdline`)).toString();
    expect(cmdline).toContain('--passphrase-fd');
    expect(cmdline).not.toContain('horse');
    slow.push(null);
    await collect(session);
    await session.done.catch(() => {});
  });

  it('runs gpg without any agent: the private home stays empty, no gpg-agent process, home removed on close', async () => {
    const tmpDir = join(work.dir, 'agentless');
    await mkdir(tmpDir);
    const d = await createDecryptor({ passphraseFile: work.passphraseFile, tmpDir });
    const homes = await readdir(tmpDir);
    expect(homes).toEqual([expect.stringMatching(new RegExp(`^grin-gpg-${process.pid}-[A-Za-z0-9]+$`))]);
    const home = join(tmpDir, homes[0] ?? '');
    expect((await stat(home)).mode & 0o777).toBe(0o700);
    try {
      const slow = new Readable({ read() {} });
      const session = d.decrypt(slow);
      slow.push(aesNoCompression);
      // While gpg runs, and after it finished: no agent for our home, nothing written into it.
      const pid = await session.started;
      const cmdline = (await import('node:fs/promises').then((fs) => fs.readFile(`/proc/${pid}/cmdline`))).toString();
      expect(cmdline).toContain('--no-autostart');
      slow.push(null);
      const { data, error } = await collect(session);
      expect(error).toBeUndefined();
      expect(data.equals(plaintext)).toBe(true);
      // A wrong passphrase is still recognised without an agent.
      const wrong = join(work.dir, 'wrong-agentless.asc');
      await writeFile(wrong, 'nope\n', { mode: 0o600 });
      const dw = await createDecryptor({ passphraseFile: wrong, tmpDir });
      const bad = dw.decrypt(Readable.from([aesNoCompression]));
      await collect(bad);
      await expect(bad.done).rejects.toBeInstanceOf(WrongPassphraseError);
      await dw.close();
      expect(await readdir(home)).toEqual([]);
      expect(await agentsUsing(tmpDir)).toEqual([]);
    } finally {
      await d.close();
    }
    expect(await readdir(tmpDir)).toEqual([]);
  });

  it('removes the private homes of dead processes at start-up, keeps live ones and foreign names', async () => {
    const tmpDir = join(work.dir, 'sweep');
    await mkdir(tmpDir);
    // PID far above pid_max: certainly not running. pid 1 always is.
    const dead = join(tmpDir, 'grin-gpg-99999999-Ab12Cd');
    const live = join(tmpDir, 'grin-gpg-1-Ef34Gh');
    const legacy = join(tmpDir, 'grin-gpg-Ij56Kl'); // old naming without pid: liveness unknown
    const notADir = join(tmpDir, 'grin-gpg-99999998-Mn78Op');
    for (const dir of [dead, live, legacy]) await mkdir(dir, { mode: 0o700 });
    await writeFile(join(dead, 'pubring.kbx'), 'x');
    await writeFile(notADir, 'a file, not a gpg home');
    const d = await createDecryptor({ passphraseFile: work.passphraseFile, tmpDir });
    try {
      expect(d.staleHomedirsRemoved).toEqual([dead]);
      const names = await readdir(tmpDir);
      const ours = names.filter((n) => n.startsWith(`grin-gpg-${process.pid}-`));
      expect(ours).toHaveLength(1);
      expect(names.filter((n) => !ours.includes(n)).sort()).toEqual(['grin-gpg-1-Ef34Gh', 'grin-gpg-99999998-Mn78Op', 'grin-gpg-Ij56Kl']);
    } finally {
      await d.close();
    }
  });

  it('a SIGKILLed process leaves no gpg-agent behind, and its home is swept by the next decryptor', async () => {
    const tmpDir = join(work.dir, 'killed');
    await mkdir(tmpDir);
    const { child } = await startDecryptProcess(
      work.dir,
      'decrypt-then-hang',
      [
        `const d = await createDecryptor({ passphraseFile: ${JSON.stringify(work.passphraseFile)}, tmpDir: ${JSON.stringify(tmpDir)} });`,
        `const s = d.decrypt(Readable.from([Buffer.from(${JSON.stringify(aesNoCompression.toString('base64'))}, 'base64')]));`,
        's.output.resume();',
        'await s.done;',
        "process.stdout.write('ready\\n');",
        'setInterval(() => {}, 1000);',
      ],
      /ready/,
    );
    const childHome = (await readdir(tmpDir)).find((n) => n.startsWith(`grin-gpg-${child.pid}-`));
    expect(childHome).toBeDefined();
    child.kill('SIGKILL');
    await new Promise((r) => child.once('close', r));
    expect(await agentsUsing(tmpDir)).toEqual([]);
    expect(await readdir(tmpDir)).toEqual([childHome]);

    const d = await createDecryptor({ passphraseFile: work.passphraseFile, tmpDir });
    expect(d.staleHomedirsRemoved).toEqual([join(tmpDir, childHome ?? '')]);
    await d.close();
    expect(await readdir(tmpDir)).toEqual([]);
  });
});
