import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalogue } from '@grin/books';
import type { SimulatedBook } from '@grin/simulator';
import { fillCatalogue } from '../helpers/fill-catalogue.js';
import { startHarness, type Harness } from '../helpers/sync-harness.js';

let h: Harness;
let now = Date.UTC(2026, 0, 5);
const CONVERSION_DELAY = 3_600_000;

beforeAll(async () => {
  h = await startHarness({ books: 240, seed: 21, clock: () => now, conversionDelayMs: CONVERSION_DELAY });
}, 60_000);

afterAll(async () => {
  await h?.close();
});

function truth(predicate: (b: SimulatedBook) => boolean): SimulatedBook[] {
  const out: SimulatedBook[] = [];
  for (let i = 0; i < h.sim.library.size; i++) {
    const b = h.sim.library.book(i);
    if (predicate(b)) out.push(b);
  }
  return out;
}

/** Barcodes sent to `_process` since `seq`, flattened (duplicates kept), and the calls' statuses. */
function processCalls(seq: number): { barcodes: string[]; statuses: number[] } {
  const calls = h.sim.requestLog().filter((r) => r.seq > seq && r.endpoint === 'process');
  return { barcodes: calls.flatMap((r) => (r.query['barcodes'] ?? '').split(',').filter((b) => b !== '')), statuses: calls.map((r) => r.status) };
}

function heads(seq: number): Set<string> {
  return new Set(h.sim.requestLog().filter((r) => r.seq > seq && r.endpoint === 'archive-head' && r.barcode !== undefined).map((r) => r.barcode as string));
}

const n = (v: number): string => v.toLocaleString('en-US');

describe('--queue previous / unconverted: conversion requests', { timeout: 90_000 }, () => {
  it('previous: every volume GRIN does not have is requested once, classified and recorded; _failed ones only with --force; converted later, they sync', async () => {
    const run = 'prev';
    await fillCatalogue(h, run);
    const storage = join(h.workDir, 'store-prev');
    const args = ['--run-name', run, ...h.grinArgs, '--storage', 'local', '--storage-path', storage];
    const previous = truth((b) => b.state === 'PREVIOUSLY_DOWNLOADED');
    const failed = previous.filter((b) => b.conversionFailure !== null).map((b) => b.barcode);
    const convertible = previous.filter((b) => b.conversionFailure === null).map((b) => b.barcode);
    expect(failed.length).toBeGreaterThan(0);
    expect(convertible.length).toBeGreaterThan(5);
    const base = h.sim.library.listSize('_in_process');

    let seq = h.seq();
    const first = await h.run(['--queue', 'previous', ...args]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`sync ${run}: ${convertible.length} selected, 0 synced, 0 skipped, ${convertible.length} not available on GRIN, 0 failed`);
    expect(first.stdout).toContain(`GRIN queue: ${n(base + convertible.length)} in process, ${n(50_000 - base - convertible.length)} of 50,000 available; conversions: ${convertible.length} requested, ${failed.length} failed on GRIN`);
    expect(first.stderr).toContain(`GRIN queue: ${n(base)} in process, ${n(50_000 - base)} of 50,000 available; ${h.sim.library.listSize('_failed')} on GRIN's _failed list (not requested)`);
    const sent = processCalls(seq);
    expect(sent.barcodes.sort()).toEqual([...convertible].sort()); // each once, none of _failed
    expect(sent.statuses.every((s) => s === 200)).toBe(true);
    // Every selected volume was checked with a HEAD (so its 404 lands in the check).
    expect([...heads(seq)].sort()).toEqual([...convertible].sort());

    let catalogue = openCatalogue(join(h.runDir(run), 'books.db'), { readonly: true });
    try {
      for (const b of convertible) {
        expect(catalogue.getStatusHistory(b, 'conversion').map((e) => [e.statusValue, e.metadata?.['reason'], e.metadata?.['grin_response']])).toEqual([
          ['requested', 'success_conversion_requested', 'Success'],
        ]);
        expect(catalogue.getBook(b)?.processing_request_timestamp).toMatch(/^\d{4}-\d\d-\d\dT/);
        expect(catalogue.isSynced(b)).toBe(false);
      }
      for (const b of failed) {
        expect(catalogue.getStatusHistory(b, 'conversion').map((e) => [e.statusValue, e.metadata?.['reason']])).toEqual([['conversion_failed', 'on_grin_failed_list']]);
      }
    } finally {
      catalogue.close();
    }
    const summary = JSON.parse(await readFile(join(h.runDir(run), 'process_summary.json'), 'utf8')) as { stages: { sync: { by_reason: Record<string, Record<string, number>> } } };
    expect(summary.stages.sync.by_reason['conversion']).toMatchObject({ requested: convertible.length, conversion_failed: failed.length });
    expect(summary.stages.sync.by_reason['unavailable']).toMatchObject({ conversion: convertible.length });

    // A rerun requests nothing again: requested volumes and recorded failures leave the queue.
    seq = h.seq();
    const again = await h.run(['--queue', 'previous', ...args]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`sync ${run}: 0 selected`);
    expect(again.stdout + again.stderr).toContain("warning: --queue previous selected nothing: none of the catalogue's");
    expect(processCalls(seq).barcodes).toEqual([]);

    // A run whose catalogue collect never filled says so instead of passing for a finished job.
    const empty = await h.run(['--queue', 'previous', ...args.map((a) => (a === run ? `${run}-empty` : a))]);
    expect(empty.code).toBe(0);
    expect(empty.stdout + empty.stderr).toContain('warning: --queue previous selected nothing: the catalogue is empty. hint: run collect first');

    // --force requests GRIN's failed conversions again; GRIN answers "not available" for them,
    // recorded as verified unavailable (never selected again, even with --force).
    seq = h.seq();
    const forced = await h.run(['--queue', 'previous', '--force', ...args]);
    expect(forced.code).toBe(0);
    expect(processCalls(seq).barcodes.sort()).toEqual([...failed].sort());
    expect(forced.stdout).toContain(`conversions: ${failed.length} unavailable`);
    catalogue = openCatalogue(join(h.runDir(run), 'books.db'), { readonly: true });
    try {
      for (const b of failed) expect(catalogue.latestStatus(b, 'conversion')).toMatchObject({ statusValue: 'unavailable', metadata: { reason: 'skip_verified_unavailable' } });
    } finally {
      catalogue.close();
    }
    seq = h.seq();
    expect((await h.run(['--queue', 'previous', '--force', ...args])).stdout).toContain(`sync ${run}: 0 selected`);
    expect(processCalls(seq).barcodes).toEqual([]);

    // GRIN converts them after its delay: then they are available and sync (with extraction).
    now += CONVERSION_DELAY + 60_000;
    const picked = convertible.slice(0, 3);
    const later = await h.run(['--barcodes', picked.join(','), ...args]);
    expect(later.code, later.stderr).toBe(0);
    expect(later.stdout).toContain('3 synced');
    expect(later.stdout).toContain('extracted: 3 MARC records');
  });

  it('unconverted: requests stop at the queue limit (counted from _in_process), then a 429 stops them for the run while available volumes keep syncing', async () => {
    const run = 'unconv';
    await fillCatalogue(h, run);
    const storage = join(h.workDir, 'store-unconv');
    const args = ['--run-name', run, ...h.grinArgs, '--storage', 'local', '--storage-path', storage];
    const base = h.sim.library.listSize('_in_process');

    let seq = h.seq();
    const capped = await h.run(['--queue', 'unconverted', '--limit', '8', '--conversion-queue-limit', String(base + 3), ...args]);
    expect(capped.code, capped.stderr).toBe(0);
    expect(capped.stdout).toContain('8 selected, 0 synced, 0 skipped, 8 not available on GRIN');
    expect(capped.stdout).toContain(`GRIN queue: ${n(base + 3)} in process, 0 of ${n(base + 3)} available (limit reached); conversions: 3 requested, 5 queue full`);
    expect(processCalls(seq).barcodes).toHaveLength(3);
    let catalogue = openCatalogue(join(h.runDir(run), 'books.db'), { readonly: true });
    let deferred: string[];
    try {
      const limited = processCalls(0).barcodes;
      deferred = [];
      for (const row of catalogue.iterateBooks()) {
        const last = catalogue.latestStatus(row.barcode, 'conversion');
        if (last?.statusValue === 'limit_reached') deferred.push(row.barcode);
      }
      expect(deferred).toHaveLength(5);
      for (const b of deferred) {
        expect(limited).not.toContain(b);
        expect(catalogue.latestStatus(b, 'conversion')?.metadata).toMatchObject({ reason: 'queue_cap_reached' });
        // Deferred, not refused: still in the queue for a later run.
        expect(catalogue.getBook(b)?.processing_request_timestamp).toBeNull();
      }
    } finally {
      catalogue.close();
    }

    // GRIN answers 429 ("queue full"): nothing more is requested in this run, and the next queue
    // (converted) still syncs.
    h.sim.setFaults([{ endpoint: 'process', kind: 'status-429', times: 1 }]);
    seq = h.seq();
    const full = await h.run(['--queue', 'unconverted', '--queue', 'converted', '--limit', '4', ...args]);
    h.sim.setFaults([]);
    expect(full.code, full.stderr).toBe(0);
    expect(full.stdout).toContain('queue unconverted: 4 selected, 0 synced, 0 skipped, 4 not available on GRIN, 0 failed');
    expect(full.stdout).toContain('queue converted: 4 selected, 4 synced');
    expect(full.stdout).toContain('(GRIN answered "queue full"); conversions: 4 queue full');
    expect(full.stderr).toContain('GRIN answered 429');
    const calls = processCalls(seq);
    expect(calls.statuses).toEqual([429]);
    catalogue = openCatalogue(join(h.runDir(run), 'books.db'), { readonly: true });
    try {
      for (const b of calls.barcodes) expect(catalogue.latestStatus(b, 'conversion')?.metadata).toMatchObject({ reason: 'grin_queue_full' });
    } finally {
      catalogue.close();
    }
  });

  it('--dry-run of a catalogue queue reads GRIN\'s lists and the catalogue but requests nothing', async () => {
    const run = 'drycat';
    await fillCatalogue(h, run);
    const seq = h.seq();
    const dry = await h.run(['--run-name', run, '--queue', 'unconverted', '--limit', '5', '--dry-run', ...h.grinArgs, '--storage', 'local', '--storage-path', join(h.workDir, 'store-drycat')]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain("the catalogue's unconverted queue (first 5): 5 volumes");
    expect(dry.stdout).toMatch(/GRIN queue: {2}[\d,]+ in process/);
    const endpoints = h.sim.requestLog().filter((r) => r.seq > seq).map((r) => r.endpoint);
    expect(endpoints).toContain('text-list');
    expect(endpoints.filter((e) => e === 'process' || e === 'archive-head' || e === 'archive-get')).toEqual([]);
  });
});
