import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../src/index.js';
import { parseFaultSpec } from '../src/cli/parseFaultSpec.js';
import { httpRequest } from './helpers/http.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  return { stream, text: () => text };
}

describe('standalone CLI', () => {
  it('starts, writes credentials that work, prints how to use them and stops on abort', async () => {
    const credentialsDir = await mkdtemp(join(tmpdir(), 'grin-sim-cli-test-'));
    dirs.push(credentialsDir);
    const out = capture();
    const err = capture();
    const controller = new AbortController();
    let ready: { url: string; credentialsDir: string } | undefined;
    const exit = runCli(['--', '--books', '1000', '--port', '0', '--seed', '5', '--credentials-dir', credentialsDir, '--next-style', 'ctoken', '--fault', 'listing:status-503:times=1'], {
      stdout: out.stream,
      stderr: err.stream,
      signal: controller.signal,
      onReady: (info) => {
        ready = info;
      },
    });
    while (!ready) await new Promise((r) => setTimeout(r, 10));
    const port = new URL(ready.url).port;
    expect(out.text()).toContain(`pnpm run collect -- --library-directory Simulated --grin-url http://127.0.0.1:${port}/libraries/ --credentials-dir ${credentialsDir}`);
    const creds = JSON.parse(await readFile(join(credentialsDir, 'credentials.json'), 'utf8'));
    const token = await httpRequest(creds.token_uri, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: creds.refresh_token, client_id: creds.client_id, client_secret: creds.client_secret }).toString(),
    });
    const access = JSON.parse(token.text).access_token as string;
    const page = `${ready.url}/libraries/Simulated/_all_books?result_count=600`;
    expect((await httpRequest(page, { headers: { Authorization: `Bearer ${access}` } })).status).toBe(503);
    const res = await httpRequest(page, { headers: { Authorization: `Bearer ${access}` } });
    expect(res.status).toBe(200);
    expect(res.text).toContain('ctoken=');
    controller.abort();
    expect(await exit).toBe(0);
    await expect(httpRequest(page)).rejects.toThrow();
    expect(err.text()).toBe('');
  });

  it('reports bad arguments with exit code 2', async () => {
    const err = capture();
    const code = await runCli(['--books', 'many'], { stdout: new PassThrough(), stderr: err.stream, signal: new AbortController().signal });
    expect(code).toBe(2);
    expect(err.text()).toContain('--books expects a number');
    const unknown = capture();
    expect(await runCli(['--bogus'], { stdout: new PassThrough(), stderr: unknown.stream, signal: new AbortController().signal })).toBe(2);
    const badStyle = capture();
    expect(await runCli(['--next-style', 'pages'], { stdout: new PassThrough(), stderr: badStyle.stream, signal: new AbortController().signal })).toBe(2);
    expect(badStyle.text()).toContain('nextLinkStyle');
  });

  it('parses fault specs', () => {
    expect(parseFaultSpec('archive-get:reset-mid-body:afterBytes=100,barcode=32044123')).toEqual({
      endpoint: 'archive-get', kind: 'reset-mid-body', afterBytes: 100, match: { barcode: '32044123' },
    });
    expect(parseFaultSpec('{"endpoint":"any","kind":"latency","latencyMs":5}')).toEqual({ endpoint: 'any', kind: 'latency', latencyMs: 5 });
    expect(() => parseFaultSpec('listing')).toThrow(/endpoint:kind/);
  });

  it('shuts down cleanly on SIGTERM when run as a process', async () => {
    const main = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', main, '--books', '10', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString('utf8');
        if (stdout.includes('Press Ctrl+C')) resolve();
      });
      child.once('exit', () => reject(new Error(`exited early: ${stdout}`)));
    });
    const credentialsDir = /credentials: +(\S+)/.exec(stdout)?.[1];
    if (credentialsDir) dirs.push(credentialsDir);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stdout).toContain('Stopping the simulator');
    expect(credentialsDir && existsSync(credentialsDir)).toBe(false);
  }, 20_000);
});
