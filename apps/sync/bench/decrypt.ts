// Decryption benchmark: system gpg (streamed through Node) vs openpgp.js 6, on incompressible
// tar.gz-like data encrypted by gpg (AES256 without and with ZIP compression), plus the per-archive
// fixed cost on small archives. Each candidate runs in its own process (clean peak RSS).
//
//   pnpm --filter @grin/sync bench:decrypt [-- --size-mib 200 --small-count 20 --skip-openpgp]
import { execFile, spawn } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { open, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import type { Candidate, WorkerResult } from './decrypt-worker.js';

const execFileAsync = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const MiB = 1024 * 1024;
const LOOP_LIMIT_MS = 50;

const { values } = parseArgs({
  // pnpm passes a literal '--' through to the script.
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    'size-mib': { type: 'string', default: '200' },
    'small-count': { type: 'string', default: '20' },
    'skip-openpgp': { type: 'boolean', default: false },
  },
});
const sizeMiB = Number(values['size-mib']);
const smallCount = Number(values['small-count']);

async function gpg(home: string, args: string[]): Promise<void> {
  await execFileAsync('gpg', ['--homedir', home, '--batch', '--quiet', '--yes', '--pinentry-mode', 'loopback', ...args], {
    maxBuffer: 1 << 20,
  });
}

async function writeRandomFile(path: string, bytes: number): Promise<void> {
  const fh = await open(path, 'w');
  const buf = Buffer.alloc(Math.min(bytes, MiB));
  try {
    for (let left = bytes; left > 0; left -= buf.length) {
      randomFillSync(buf);
      await fh.write(buf, 0, Math.min(left, buf.length));
    }
  } finally {
    await fh.close();
  }
}

function runWorker(candidate: Candidate, passFile: string, files: string[], gpgHome: string): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, join(here, 'decrypt-worker.ts'), candidate, passFile, ...files], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, BENCH_GPG_HOME: gpgHome },
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as WorkerResult);
      } catch {
        reject(new Error(`worker ${candidate} exited ${code}: ${out}`));
      }
    });
  });
}

function blockText(r: WorkerResult): string {
  return `${r.maxEventLoopBlockMs.toFixed(1)} / ${r.maxEventLoopBlockCpuMs.toFixed(1)} (${(r.maxEventLoopBlockCpuMs / LOOP_LIMIT_MS).toFixed(2)}× limit)`;
}

function fmt(n: number, digits = 1): string {
  return n.toFixed(digits).padStart(8);
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'grin-bench-decrypt-'));
  const encHome = join(dir, 'enc-home');
  const cliHome = join(dir, 'cli-home');
  await execFileAsync('mkdir', ['-m', '700', encHome, cliHome]);
  const passFile = join(dir, 'gpg_passphrase.asc');
  await writeFile(passFile, 'bench passphrase for grin\n', { mode: 0o600 });
  try {
    console.log(`# decrypt benchmark: ${sizeMiB} MiB incompressible plaintext, ${smallCount} × 100 KB small archives`);
    console.log(`# node ${process.version}, ${(await execFileAsync('gpg', ['--version'])).stdout.split('\n')[0]}`);
    const plain = join(dir, 'plain.tar.gz');
    await writeRandomFile(plain, sizeMiB * MiB);
    // A low S2K count isolates bulk throughput; the S2K cost per archive is measured below.
    const variants = [
      { name: 'AES256, no compression', file: join(dir, 'plain.gpg'), args: ['--compress-algo', 'none', '--s2k-count', '65536'] },
      { name: 'AES256, ZIP-compressed', file: join(dir, 'zip.gpg'), args: ['--compress-algo', 'zip', '--s2k-count', '65536'] },
    ];
    for (const v of variants) {
      await gpg(encHome, ['--passphrase-file', passFile, '--symmetric', '--cipher-algo', 'AES256', ...v.args, '--output', v.file, plain]);
    }
    await rm(plain);

    const large: Candidate[] = ['gpg-cli', 'gpg-stream', ...(values['skip-openpgp'] ? [] : (['openpgp', 'openpgp-unauth-stream'] as Candidate[]))];
    console.log(`# load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} CPUs`);
    console.log('\n| archive | candidate | MiB/s | vs gpg-cli | peak RSS MiB | event-loop max delay ms: wall / CPU-bound (limit 50) | ok |');
    console.log('|---|---|---:|---:|---:|---:|---|');
    for (const v of variants) {
      let ceiling = 0;
      for (const c of large) {
        const r = await runWorker(c, passFile, [v.file], cliHome);
        const mibs = (sizeMiB * MiB) / MiB / r.seconds;
        if (c === 'gpg-cli') ceiling = mibs;
        const ratio = ceiling > 0 ? mibs / ceiling : NaN;
        const block = c === 'gpg-cli' ? 'n/a' : blockText(r);
        const okText = r.ok ? (c === 'gpg-cli' || r.bytesOut === sizeMiB * MiB ? 'yes' : `bytes ${r.bytesOut}`) : `FAILED: ${r.error ?? ''}`;
        console.log(`| ${v.name} | ${c} | ${fmt(mibs)} | ${fmt(ratio, 2)} | ${fmt(r.maxRssMiB, 0)} | ${block} | ${okText} |`);
      }
    }

    // Per-archive fixed cost: dominated by the S2K key derivation (gpg 2.2 default: 65,011,712 iterations).
    console.log('\n| small archives (100 KB) | candidate | archives/s | vs gpg-cli | peak RSS MiB | event-loop max delay ms: wall / CPU-bound (limit 50) | ok |');
    console.log('|---|---|---:|---:|---:|---:|---|');
    const small: Candidate[] = ['gpg-cli', 'gpg-stream', ...(values['skip-openpgp'] ? [] : (['openpgp'] as Candidate[]))];
    for (const s2k of [{ name: 'default S2K (65M iterations)', args: [] as string[] }, { name: 'S2K count 65536', args: ['--s2k-count', '65536'] }]) {
      const files: string[] = [];
      for (let i = 0; i < smallCount; i++) {
        const p = join(dir, `small-${i}.tar.gz`);
        await writeRandomFile(p, 100_000);
        const f = `${p}.${s2k.args.length}.gpg`;
        await gpg(encHome, ['--passphrase-file', passFile, '--symmetric', '--cipher-algo', 'AES256', ...s2k.args, '--output', f, p]);
        files.push(f);
      }
      let ceiling = 0;
      for (const c of small) {
        const r = await runWorker(c, passFile, files, cliHome);
        const perSec = files.length / r.seconds;
        if (c === 'gpg-cli') ceiling = perSec;
        const block = c === 'gpg-cli' ? 'n/a' : blockText(r);
        console.log(`| ${s2k.name} | ${c} | ${fmt(perSec)} | ${fmt(perSec / ceiling, 2)} | ${fmt(r.maxRssMiB, 0)} | ${block} | ${r.ok ? 'yes' : `FAILED: ${r.error ?? ''}`} |`);
      }
    }
    console.log(`\n# load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  } finally {
    for (const h of [encHome, cliHome]) await execFileAsync('gpgconf', ['--homedir', h, '--kill', 'gpg-agent']).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
