import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalogue } from '@grin/books';
import { checkRunRecords } from '../helpers/run-records-check.js';
import { checkLocalSynced, listFiles, startHarness, waitExit, type Harness } from '../helpers/sync-harness.js';
import { waitFor } from '../helpers/wait.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ books: 120, archiveBytes: 600 * 1024 });
}, 60_000);

afterAll(async () => {
  await h?.close();
});

/** Archives gpg is writing into local storage now: hidden `.partial` temp files with bytes in them. */
async function partialArchives(storage: string): Promise<number> {
  const raw = join(storage, 'raw');
  let count = 0;
  for (const dir of await readdir(raw).catch(() => [])) {
    for (const name of await readdir(join(raw, dir)).catch(() => [])) {
      // The temp file is opened before gpg starts; plaintext in it means gpg runs.
      if (name.endsWith('.partial') && ((await stat(join(raw, dir, name)).catch(() => null))?.size ?? 0) > 0) count += 1;
    }
  }
  return count;
}

/** GETs of archives that the simulator has answered since `since`. */
function getsStarted(since: number): number {
  return h.sim.requestLog().filter((r) => r.seq > since && r.endpoint === 'archive-get' && r.status !== 0).length;
}

describe('Ctrl-C', { timeout: 90_000 }, () => {
  it('first SIGINT: stops feeding, finishes the volumes in flight, saves, exits 130; a rerun resumes without downloading them again', async () => {
    const barcodes = h.converted(12).slice(0, 6);
    const storage = join(h.workDir, 'store-int');
    const args = ['--run-name', 'int', '--barcodes', barcodes.join(','), ...h.grinArgs, '--storage', 'local', '--storage-path', storage, '--download-concurrency', '2', '--workers', '2'];
    // ~2 s per archive, so the signal lands while two downloads are in flight.
    h.sim.setFaults([{ endpoint: 'archive-get', kind: 'bandwidth', bytesPerSecond: 300 * 1024 }]);
    const seq = h.seq();
    const child = h.spawn(args);
    await waitFor(() => getsStarted(seq) >= 2, 'two downloads in flight');
    child.kill('SIGINT');
    const code = await waitExit(child);
    h.sim.setFaults([]);
    expect(code, JSON.stringify(child.output())).toBe(130);
    const { stdout, stderr } = child.output();
    expect(stderr).toContain('SIGINT received: finishing the volumes in flight');
    expect(stdout).toContain('2 synced');
    expect(stdout).toContain('4 not started');

    const catalogue = openCatalogue(join(h.runDir('int'), 'books.db'), { readonly: true });
    const synced = barcodes.filter((b) => catalogue.isSynced(b));
    expect(catalogue.listSessions('sync')[0]?.status).toBe('interrupted');
    catalogue.close();
    expect(synced.length).toBe(2);
    expect(await checkLocalSynced(h, 'int', storage, synced)).toEqual([]);
    // The teardown ran after the graceful stop: complete run records, the session interrupted.
    const records = await checkRunRecords(h, 'int', storage);
    expect(records.problems).toEqual([]);
    expect(records.records?.rows.size).toBe(6);
    expect(records.records?.summary.stages['sync']).toMatchObject({ status: 'interrupted', interruptions: 1, totals: { succeeded: 2 } });
    expect(stdout).toContain('run records: books_export.csv, process_summary.json');

    const seq2 = h.seq();
    const rerun = await h.run(args);
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toContain('4 synced, 2 skipped (etag_match 2)');
    const gets = h.downloads(seq2);
    for (const b of synced) expect(gets.get(b) ?? 0).toBe(0);
    expect(await checkLocalSynced(h, 'int', storage, barcodes)).toEqual([]);
    const after = await checkRunRecords(h, 'int', storage);
    expect(after.problems).toEqual([]);
    expect(after.records?.summary.stages['sync']).toMatchObject({ status: 'completed', sessions: 2, resume_count: 1, totals: { succeeded: 6 } });
  });

  it('Ctrl-C at a terminal (SIGINT to the whole process group, gpg included): the volumes in flight still finish', async () => {
    const barcodes = h.converted(24).slice(12, 16);
    const storage = join(h.workDir, 'store-tty');
    const args = ['--run-name', 'tty', '--barcodes', barcodes.join(','), ...h.grinArgs, '--storage', 'local', '--storage-path', storage, '--download-concurrency', '2', '--workers', '2'];
    h.sim.setFaults([{ endpoint: 'archive-get', kind: 'bandwidth', bytesPerSecond: 300 * 1024 }]);
    const seq = h.seq();
    const child = h.spawn(args, {}, { ownProcessGroup: true });
    await waitFor(async () => (await partialArchives(storage)) >= 2, 'two archives being decrypted into storage');
    // What a terminal does: the signal goes to every process of the foreground group.
    process.kill(-(child.pid ?? 0), 'SIGINT');
    const code = await waitExit(child);
    h.sim.setFaults([]);
    expect(code, JSON.stringify(child.output())).toBe(130);
    const { stdout } = child.output();
    expect(stdout).toContain('2 synced');
    expect(stdout).toContain('0 failed');
    const synced = barcodes.filter((b) => {
      const catalogue = openCatalogue(join(h.runDir('tty'), 'books.db'), { readonly: true });
      try {
        return catalogue.isSynced(b);
      } finally {
        catalogue.close();
      }
    });
    expect(synced.length).toBe(2);
    expect(await checkLocalSynced(h, 'tty', storage, synced)).toEqual([]);
    // Finished, not failed and retried: gpg (and what starts it) did not get the terminal's signal.
    const gets = h.downloads(seq);
    for (const b of synced) expect(gets.get(b), b).toBe(1);
  });

  it('second SIGINT: aborts the volumes in flight (no partial object, nothing recorded as synced) and exits 130', async () => {
    const barcodes = h.converted(12).slice(6, 12);
    const storage = join(h.workDir, 'store-int2');
    const args = ['--run-name', 'int2', '--barcodes', barcodes.join(','), ...h.grinArgs, '--storage', 'local', '--storage-path', storage, '--download-concurrency', '2', '--workers', '2'];
    h.sim.setFaults([{ endpoint: 'archive-get', kind: 'bandwidth', bytesPerSecond: 100 * 1024 }]);
    const seq = h.seq();
    const child = h.spawn(args);
    await waitFor(() => getsStarted(seq) >= 2, 'two downloads in flight');
    child.kill('SIGINT');
    await waitFor(() => child.output().stderr.includes('SIGINT received'), 'the first signal to be handled');
    child.kill('SIGINT');
    const code = await waitExit(child);
    h.sim.setFaults([]);
    expect(code, JSON.stringify(child.output())).toBe(130);
    expect(child.output().stderr).toContain('SIGINT received again: stopping now');
    // "Stop now" skips the teardown; the next run writes the records.
    expect(child.output().stdout).toContain('run records: not written (stopped at once)');
    // The aborted volumes left nothing: no final object, no temp file.
    expect(await listFiles(join(storage, 'raw'))).toEqual([]);
    const catalogue = openCatalogue(join(h.runDir('int2'), 'books.db'), { readonly: true });
    expect(catalogue.countBooks({ synced: true })).toBe(0);
    catalogue.close();

    const rerun = await h.run(args);
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toContain('6 synced');
    expect(await checkLocalSynced(h, 'int2', storage, barcodes)).toEqual([]);
  });
});
