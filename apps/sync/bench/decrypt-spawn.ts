// Per-archive fixed cost of the decryptor: how long `decryptor.decrypt()` blocks the main thread
// (gpg is started by the launcher process; spawning it here, libuv fork()ed the whole Node process
// and waited for the exec), next to a bare `spawn(gpg, ['--version'])` from this process with no
// pipes (fork + exec alone: what each archive cost before the launcher). Also small archives per
// second, sequentially, and the CPU per archive of this process and of its children (launcher + gpg).
//
//   pnpm --filter @grin/sync bench:decrypt-spawn [-- --rss-mib 170 --count 200]
//
// The process first grows to --rss-mib (default 170, a sync process's RSS): fork() copies the page
// tables, so its cost grows with the process size.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { parseArgs, promisify } from 'node:util';
import { createDecryptor } from '../src/decrypt/index.js';
import { cpuTimes } from './cpu-times.js';

const execFileAsync = promisify(execFile);
const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: { 'rss-mib': { type: 'string', default: '170' }, count: { type: 'string', default: '200' } },
});
const rssMiB = Number(values['rss-mib']);
const count = Number(values.count);

const ballast: unknown[] = [];
while (process.memoryUsage().rss < rssMiB * 2 ** 20) ballast.push(Array.from({ length: 10_000 }, (_, i) => ({ i, s: `v${i}` })));

const dir = await mkdtemp(join(tmpdir(), 'grin-bench-spawn-'));
try {
  const passFile = join(dir, 'pass.asc');
  await writeFile(passFile, 'bench passphrase\n', { mode: 0o600 });
  const plain = join(dir, 'plain.bin');
  await writeFile(plain, Buffer.alloc(10_000, 7));
  const enc = join(dir, 'plain.bin.gpg');
  await execFileAsync('gpg', [
    '--homedir', dir, '--no-autostart', '--batch', '--quiet', '--yes', '--pinentry-mode', 'loopback',
    '--passphrase-file', passFile, '--symmetric', '--cipher-algo', 'AES256', '--s2k-count', '65536', '--output', enc, plain,
  ]);
  const archive = await import('node:fs/promises').then((fs) => fs.readFile(enc));
  const gpgPath = (await execFileAsync('sh', ['-c', 'command -v gpg'])).stdout.trim();

  const decryptor = await createDecryptor({ passphraseFile: passFile, tmpDir: dir });
  const block: number[] = [];
  let wall = 0;
  let cpu = { self: 0, children: 0 };
  for (let i = 0; i < count + 5; i++) {
    if (i === 5) cpu = cpuTimes(); // after the warm-up
    const t0 = performance.now();
    const session = decryptor.decrypt(Readable.from([archive]));
    const t1 = performance.now();
    session.output.resume();
    await session.done;
    if (i < 5) continue;
    block.push(t1 - t0);
    wall += performance.now() - t0;
  }
  // The launcher's CPU and its gpgs' reach this process's children's times once it exited.
  await decryptor.close();
  const after = cpuTimes();
  const bare: number[] = [];
  for (let i = 0; i < count; i++) {
    const b0 = performance.now();
    const child = spawn(gpgPath, ['--version'], { stdio: 'ignore' });
    bare.push(performance.now() - b0);
    await new Promise((r) => child.on('close', r));
  }

  const q = (a: number[], p: number): number => [...a].sort((x, y) => x - y)[Math.floor(p * (a.length - 1))] ?? NaN;
  const f = (n: number): string => n.toFixed(2);
  console.log(`node ${process.version}, ${cpus().length} CPUs, load average ${loadavg()[0]?.toFixed(1)}, RSS ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB, ${count} archives of 10 KB (S2K count 65536)`);
  console.log('| main-thread block per archive | median ms | p90 ms | max ms |');
  console.log('|---|---:|---:|---:|');
  console.log(`| decryptor.decrypt() | ${f(q(block, 0.5))} | ${f(q(block, 0.9))} | ${f(q(block, 1))} |`);
  console.log(`| limit: bare spawn(gpg --version) from this process, no pipes | ${f(q(bare, 0.5))} | ${f(q(bare, 0.9))} | ${f(q(bare, 1))} |`);
  console.log(`ratio decrypt()/limit (median): ${(q(block, 0.5) / q(bare, 0.5)).toFixed(2)}; sequential small archives: ${(count / (wall / 1000)).toFixed(1)} archives/s`);
  const perArchive = (s: number): string => ((s * 1000) / count).toFixed(2);
  console.log(`CPU per archive: this process ${perArchive(after.self - cpu.self)} ms, children (launcher + gpg) ${perArchive(after.children - cpu.children)} ms`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
