import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDecryptor, GpgFailedError, type Decryptor, type DecryptSession } from '../../src/decrypt/index.js';
import { waitFor } from '../helpers/wait.js';
import { collect, listProcesses, makeGpgWorkdir, processExists, readProc, startDecryptProcess, type GpgWorkdir, type ProcEntry } from './gpg-fixtures.js';

let work: GpgWorkdir;
let decryptor: Decryptor;
const plaintext = randomBytes(2_000_000);
let encrypted: Buffer;

beforeAll(async () => {
  work = await makeGpgWorkdir();
  encrypted = await work.encrypt(plaintext, ['--compress-algo', 'none']);
  decryptor = await createDecryptor({ passphraseFile: work.passphraseFile });
}, 60_000);

afterAll(async () => {
  await decryptor?.close();
  await work?.dispose();
});

/** A process that must exist (gpg or its launcher, kept running by the test). */
async function proc(pid: number): Promise<ProcEntry> {
  const entry = await readProc(pid);
  if (entry === null) throw new Error(`process ${pid} is gone`);
  return entry;
}

/** Running and not a zombie. */
async function running(pid: number): Promise<boolean> {
  return (await readProc(pid))?.zombie === false;
}

/** The running launcher processes started by process `parent`. */
async function launchersOf(parent: number): Promise<number[]> {
  return (await listProcesses()).filter((p) => p.ppid === parent && p.args.some((a) => a.endsWith('gpg-launcher-child.mjs'))).map((p) => p.pid);
}

/** A session whose input is fed by hand: the first part now, the rest on `finish()`. */
function startSlow(d: Decryptor): { session: DecryptSession; finish: () => void } {
  const input = new Readable({ read() {} });
  input.push(encrypted.subarray(0, 100_000));
  const session = d.decrypt(input);
  return {
    session,
    finish: () => {
      input.push(encrypted.subarray(100_000));
      input.push(null);
    },
  };
}

describe('gpg launcher', () => {
  it('starts gpg from the launcher process, never from this (large) process', async () => {
    const { session, finish } = startSlow(decryptor);
    const gpg = await proc(await session.started);
    expect(gpg.args).toContain('--decrypt');
    expect(gpg.ppid).not.toBe(process.pid);
    const launcher = await proc(gpg.ppid);
    expect(launcher.ppid).toBe(process.pid);
    expect(launcher.args.join(' ')).toContain('gpg-launcher-child.mjs');
    finish();
    const { data, error } = await collect(session);
    expect(error).toBeUndefined();
    expect(data.equals(plaintext)).toBe(true);
    await expect(session.done).resolves.toMatchObject({ integrityProtected: true, bytesOut: plaintext.length });
  });

  it('a launcher that dies while gpg runs fails the session (its exit status is unknown), and the next one gets a new launcher', async () => {
    const d = await createDecryptor({ passphraseFile: work.passphraseFile });
    try {
      const { session, finish } = startSlow(d);
      const launcherPid = (await proc(await session.started)).ppid;
      process.kill(launcherPid, 'SIGKILL');
      await waitFor(() => !processExists(launcherPid), 'the launcher to die');
      finish();
      const { error } = await collect(session);
      expect(error).toBeInstanceOf(GpgFailedError);
      await expect(session.done).rejects.toThrow(/the gpg launcher process exited \(SIGKILL\) while gpg ran; the decryption's result is unknown/);

      // gpg waits for the rest of its input while /proc is read (a finished gpg may be gone).
      const { session: next, finish: finishNext } = startSlow(d);
      const nextLauncher = (await proc(await next.started)).ppid;
      expect(nextLauncher).not.toBe(launcherPid);
      finishNext();
      const { data } = await collect(next);
      expect(data.equals(plaintext)).toBe(true);
      await expect(next.done).resolves.toMatchObject({ integrityProtected: true });
    } finally {
      await d.close();
    }
  });

  it('close() ends the launcher', async () => {
    const d = await createDecryptor({ passphraseFile: work.passphraseFile });
    const { session, finish } = startSlow(d);
    const launcherPid = (await proc(await session.started)).ppid;
    finish();
    await collect(session);
    await session.done;
    expect(processExists(launcherPid)).toBe(true);
    await d.close();
    expect(processExists(launcherPid)).toBe(false);
  });

  it('close() while gpg runs: the session fails saying so, gpg is killed and reaped, close() returns', async () => {
    const d = await createDecryptor({ passphraseFile: work.passphraseFile });
    const { session } = startSlow(d);
    const gpgPid = await session.started;
    const launcherPid = (await proc(gpgPid)).ppid;
    await d.close();
    await expect(session.done).rejects.toThrow(/the gpg launcher was closed while gpg ran; the decryption's result is unknown/);
    expect(await running(gpgPid)).toBe(false);
    expect(processExists(gpgPid)).toBe(false); // reaped by the launcher, not left a zombie
    expect(processExists(launcherPid)).toBe(false);
  });

  it('a gpg that exits at once fails its session (no hang), whether or not its pipes were handed over yet', async () => {
    // Answers --version like gpg (the decryptor checks it), fails everything else at once.
    const fake = join(work.dir, 'gpg-exits-at-once');
    await writeFile(fake, '#!/bin/sh\nif [ "$1" = "--version" ]; then exec gpg --version; fi\necho "broken gpg" >&2\nexit 2\n', { mode: 0o755 });
    const d = await createDecryptor({ passphraseFile: work.passphraseFile, gpgPath: fake });
    try {
      const sessions = Array.from({ length: 8 }, () => d.decrypt(Readable.from([encrypted])));
      for (const session of sessions) {
        const { error } = await collect(session);
        expect(error).toBeInstanceOf(Error);
        const failure = await session.done.then(() => null, (e: unknown) => e);
        // Before the hand-over: the launch fails; after it: gpg's exit code 2 is a failed decryption.
        expect(String(failure)).toMatch(/gpg exited \(code 2\) before its pipes reached the sync process|gpg could not decrypt the archive \(exit 2\)/);
      }
    } finally {
      await d.close();
    }
  });

  it('a sync process SIGKILLed while gpgs are being handed over leaves no launcher and no gpg behind', async () => {
    const tmpDir = join(work.dir, 'killed-mid-handover');
    await mkdir(tmpDir);
    // The launcher inherits this variable; the gpgs name their private home under tmpDir.
    const marker = `GRIN_TEST_MARK=${randomBytes(6).toString('hex')}`;
    const { child } = await startDecryptProcess(
      work.dir,
      'decrypt-many-then-hang',
      [
        `const d = await createDecryptor({ passphraseFile: ${JSON.stringify(work.passphraseFile)}, tmpDir: ${JSON.stringify(tmpDir)} });`,
        'const sessions = Array.from({ length: 10 }, () => d.decrypt(new Readable({ read() {} })));',
        'for (const s of sessions) s.done.catch(() => {});',
        // The first is handed over: the launcher runs, and the others' hand-overs are under way.
        'await sessions[0].started;',
        "process.stdout.write('go\\n');",
        'setInterval(() => {}, 1000);',
      ],
      /go/,
      { ...process.env, [marker.split('=')[0] ?? '']: marker.split('=')[1] },
    );
    // At once: most of the hand-overs are still going on.
    child.kill('SIGKILL');
    const leftovers = async (): Promise<number[]> => {
      const pids: number[] = [];
      for (const p of await listProcesses()) {
        if (p.zombie) continue;
        const environ = await readFile(`/proc/${p.pid}/environ`, 'utf8').catch(() => '');
        if (p.args.some((a) => a.includes(tmpDir)) || environ.split('\0').includes(marker)) pids.push(p.pid);
      }
      return pids;
    };
    await waitFor(async () => (await leftovers()).length === 0, 'the launcher and its gpgs to exit', 10_000);
  });

  it('a SIGKILLed sync process takes the launcher and the gpg it runs with it', async () => {
    const { child, match } = await startDecryptProcess(
      work.dir,
      'decrypt-and-hang',
      [
        `const d = await createDecryptor({ passphraseFile: ${JSON.stringify(work.passphraseFile)} });`,
        // An input that never ends: gpg keeps running.
        'const s = d.decrypt(new Readable({ read() {} }));',
        "process.stdout.write(`gpg ${await s.started}\\n`);",
        'setInterval(() => {}, 1000);',
      ],
      /gpg (\d+)/,
    );
    const gpgPid = Number(match[1]);
    const launchers = await launchersOf(child.pid ?? -1);
    expect(launchers).toHaveLength(1);
    const launcherPid = launchers[0] ?? -1;
    expect((await proc(gpgPid)).ppid).toBe(launcherPid);
    child.kill('SIGKILL');
    await waitFor(async () => !(await running(launcherPid)) && !(await running(gpgPid)), 'the launcher and gpg to exit', 10_000);
  });
});
