import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ListingRow } from '../src/index.js';

/** A temp directory removed by the returned cleanup. */
export function makeTempDir(prefix = 'grin-books-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A clock that advances one second per call from a fixed start. */
export function steppingClock(start = Date.UTC(2025, 0, 1, 12, 0, 0)): () => Date {
  let t = start;
  return () => {
    const d = new Date(t);
    t += 1000;
    return d;
  };
}

/** A listing row with sensible defaults. */
export function listingRow(barcode: string, fields: Partial<ListingRow> = {}): ListingRow {
  return {
    barcode,
    title: `Title ${barcode}`,
    grinState: 'CONVERTED',
    scannedDate: '2019-03-01T10:15:00',
    analyzedDate: '2019-03-02T10:15:00',
    convertedDate: '2020-01-01T08:00:00',
    downloadedDate: null,
    processedDate: '2019-03-03T10:15:00',
    ocrDate: '2019-03-04T10:15:00',
    googleBooksLink: `https://books.google.com/books?id=${barcode}`,
    ...fields,
  };
}

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** Starts a TypeScript fixture in a real child Node process (through tsx). */
export function spawnFixture(name: string, args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', join(FIXTURES, name), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: fileURLToPath(new URL('..', import.meta.url)),
  });
}

/** Resolves with the first stdout line matching `predicate`; rejects if the child exits first. */
export function waitForLine(child: ChildProcess, predicate: (line: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    let stderr = '';
    const onData = (chunk: Buffer): void => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (predicate(line)) {
          child.stdout?.off('data', onData);
          resolve(line);
          return;
        }
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('exit', (code, signal) => reject(new Error(`child exited (${code ?? signal}) before the expected line; stderr: ${stderr}`)));
  });
}

/** Kills the child and waits until it is reaped (so its pid is really gone). */
export async function killAndWait(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  await exited;
}

/** Waits for a child to exit on its own; resolves with its exit code. */
export function waitForExit(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}
