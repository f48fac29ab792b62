import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDecryptor, GpgFailedError, type Decryptor, type DecryptSession } from '../../src/decrypt/index.js';
import { waitFor } from '../helpers/wait.js';
import { collect, makeGpgWorkdir, processExists, startDecryptProcess, type GpgWorkdir } from './gpg-fixtures.js';

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

/** Parent pid and command line of a running process. */
async function processInfo(pid: number): Promise<{ ppid: number; cmdline: string }> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ');
  return { ppid, cmdline };
}

/** Running and not a zombie (an orphan is reaped by whatever init this machine has, maybe never). */
async function running(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  return stat !== null && stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}

/** Pids of the running children of `parent`. */
async function childrenOf(parent: number): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const info = await processInfo(Number(name)).catch(() => null);
    if (info?.ppid === parent) pids.push(Number(name));
  }
  return pids;
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
    const gpg = await processInfo(await session.started);
    expect(gpg.cmdline).toContain('--decrypt');
    expect(gpg.ppid).not.toBe(process.pid);
    const launcher = await processInfo(gpg.ppid);
    expect(launcher.ppid).toBe(process.pid);
    expect(launcher.cmdline).toContain('gpg-launcher-child.mjs');
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
      const launcherPid = (await processInfo(await session.started)).ppid;
      process.kill(launcherPid, 'SIGKILL');
      await waitFor(() => !processExists(launcherPid), 'the launcher to die');
      finish();
      const { error } = await collect(session);
      expect(error).toBeInstanceOf(GpgFailedError);
      await expect(session.done).rejects.toThrow(/launcher process died/);

      // gpg waits for the rest of its input while /proc is read (a finished gpg may be gone).
      const { session: next, finish: finishNext } = startSlow(d);
      const nextLauncher = (await processInfo(await next.started)).ppid;
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
    const launcherPid = (await processInfo(await session.started)).ppid;
    finish();
    await collect(session);
    await session.done;
    expect(processExists(launcherPid)).toBe(true);
    await d.close();
    expect(processExists(launcherPid)).toBe(false);
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
    const launchers: number[] = [];
    for (const pid of await childrenOf(child.pid ?? -1)) {
      if ((await processInfo(pid)).cmdline.includes('gpg-launcher-child.mjs')) launchers.push(pid);
    }
    expect(launchers).toHaveLength(1);
    const launcherPid = launchers[0] ?? -1;
    expect((await processInfo(gpgPid)).ppid).toBe(launcherPid);
    child.kill('SIGKILL');
    await waitFor(async () => !(await running(launcherPid)) && !(await running(gpgPid)), 'the launcher and gpg to exit', 10_000);
  });
});
