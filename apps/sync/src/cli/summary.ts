import { formatBytes, formatCount } from '@grin/progress';
import { formatQueueState, type ConversionRequester } from '../convert/index.js';
import type { ExtractionCounts } from '../stages/extraction-counts.js';
import type { TeardownReport } from '../teardown/index.js';
import { conversionBrief } from './progress-wiring.js';
import type { QueueRun, SkippedQueue } from './run-queues.js';

export interface SummaryInput {
  runName: string;
  runs: readonly QueueRun[];
  skipped: readonly SkippedQueue[];
  requester: ConversionRequester | null;
  extraction: ExtractionCounts | null;
  /** Null when the teardown did not run (second Ctrl-C). */
  teardown: TeardownReport | null;
  where: { catalogue: string; storage: string; runDir: string };
  elapsedSeconds: number;
}

interface Totals {
  selected: number;
  synced: number;
  skipped: number;
  unavailable: number;
  failed: number;
  dropped: number;
  retries: number;
  bytesDownloaded: number;
  bytesStored: number;
  reasons: Map<string, number>;
}

function totalsOf(runs: readonly QueueRun[]): Totals {
  const t: Totals = { selected: 0, synced: 0, skipped: 0, unavailable: 0, failed: 0, dropped: 0, retries: 0, bytesDownloaded: 0, bytesStored: 0, reasons: new Map() };
  for (const { result } of runs) {
    const s = result.stats;
    t.selected += s.selected;
    t.synced += s.synced;
    t.skipped += s.skipped;
    t.unavailable += s.unavailable;
    t.failed += s.failed;
    t.dropped += s.dropped;
    t.retries += s.retries;
    t.bytesDownloaded += s.bytesDownloaded;
    t.bytesStored += s.bytesStored;
    for (const [k, v] of s.reasons) t.reasons.set(k, (t.reasons.get(k) ?? 0) + v);
  }
  return t;
}

function outcomeLine(t: Totals): string {
  const skippedBy = [...t.reasons].filter(([k]) => k.startsWith('skipped:')).map(([k, v]) => `${k.slice(8)} ${formatCount(v)}`);
  return `${formatCount(t.selected)} selected, ${formatCount(t.synced)} synced, ${formatCount(t.skipped)} skipped${skippedBy.length > 0 ? ` (${skippedBy.join(', ')})` : ''}, ${formatCount(t.unavailable)} not available on GRIN, ${formatCount(t.failed)} failed${t.dropped > 0 ? `, ${formatCount(t.dropped)} not started` : ''}`;
}

/** The end-of-run report printed to stdout. */
export function formatSummary(input: SummaryInput): string {
  const t = totalsOf(input.runs);
  const lines = [`sync ${input.runName}: ${outcomeLine(t)}`];
  if (input.runs.length + input.skipped.length > 1) {
    for (const run of input.runs) lines.push(`  queue ${run.part.name}: ${outcomeLine(totalsOf([run]))}`);
    for (const skip of input.skipped) lines.push(`  queue ${skip.part.name}: not run (${skip.reason === 'conversion_state_unavailable' ? "GRIN's _in_process list unreadable" : skip.reason})`);
  }
  const fromStorage = t.reasons.get('synced:from_storage') ?? 0;
  lines.push(
    `  ${formatBytes(t.bytesDownloaded)} downloaded, ${formatBytes(t.bytesStored)} stored in ${input.elapsedSeconds.toFixed(1)} s${t.retries > 0 ? `, ${formatCount(t.retries)} retried attempts` : ''}${fromStorage > 0 ? `, ${formatCount(fromStorage)} read back from storage for extraction` : ''}`,
  );
  const e = input.extraction;
  if (e !== null) {
    const failed = [...e.failed].map(([code, n]) => `${code} ${formatCount(n)}`).join(', ');
    const vols = (n: number): string => `${formatCount(n)} volume${n === 1 ? '' : 's'}`;
    const marc = `${formatCount(e.marcExtracted)} MARC record${e.marcExtracted === 1 ? '' : 's'}${e.marcMissing > 0 ? `, ${vols(e.marcMissing)} without MARC` : ''}`;
    const ocr = `${formatCount(e.ocrExtracted)} OCR file${e.ocrExtracted === 1 ? '' : 's'} (${formatCount(e.ocrPages)} pages)${e.ocrMissing > 0 ? `, ${vols(e.ocrMissing)} without page text` : ''}`;
    lines.push(`  extracted: ${marc}; ${ocr}${e.failures > 0 ? `; ${formatCount(e.failures)} failed (${failed})` : ''}`);
  }
  if (input.requester !== null) {
    const brief = conversionBrief(input.requester.counts());
    lines.push(`  ${formatQueueState(input.requester.queueState())}; conversions: ${brief ?? 'none needed'}`);
  }
  lines.push(`  storage:   ${input.where.storage}`, `  catalogue: ${input.where.catalogue}`);
  lines.push(`  ${teardownLine(input.teardown, input.where.runDir)}`);
  const failures = input.runs.flatMap((r) => r.result.failures);
  if (failures.length > 0) {
    lines.push('  failed volumes:');
    for (const f of failures.slice(0, 10)) lines.push(`    ${f.barcode} (${f.step}): ${f.error.message}`);
    if (t.failed > 10) lines.push(`    ... and ${formatCount(t.failed - 10)} more (see book_status_history in the catalogue)`);
    // Each distinct hint once: a hundred volumes refused for one reason need one piece of advice.
    const hints = new Set(failures.map((f) => (f.error as { hint?: unknown }).hint).filter((h): h is string => typeof h === 'string' && h !== ''));
    for (const hint of [...hints].slice(0, 5)) lines.push(`  hint: ${hint}`);
  }
  return `${lines.join('\n')}\n`;
}

function teardownLine(report: TeardownReport | null, runDir: string): string {
  if (report === null) return 'run records: not written (stopped at once); the next run writes them';
  const done = report.items.filter((i) => i.ok && i.skipped === undefined).map((i) => i.name);
  const failed = report.items.filter((i) => !i.ok);
  const written = [
    done.includes('csv_export') ? 'books_export.csv' : null,
    done.includes('process_summary') ? 'process_summary.json' : null,
  ].filter((x) => x !== null);
  const meta = done.filter((n) => n.endsWith('_latest') || n.endsWith('_timestamped') || n === 'process_summary_upload').length;
  const base = `run records: ${written.length > 0 ? `${written.join(', ')} in ${runDir}` : 'none written locally'}${meta > 0 ? `, ${meta} cop${meta === 1 ? 'y' : 'ies'} in the meta area` : ''}`;
  if (failed.length === 0) return base;
  return `${base}; FAILED: ${failed.map((i) => `${i.name} (${i.error?.code ?? 'error'}: ${i.error?.message ?? ''})`).join('; ')}`;
}
