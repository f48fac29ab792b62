import { formatBytes, formatCount } from '@grin/progress';
import type { SyncRunResult } from '../sync-run.js';

/** The end-of-run report printed to stdout. */
export function formatSummary(runName: string, result: SyncRunResult, where: { catalogue: string; storage: string }, elapsedSeconds: number): string {
  const s = result.stats;
  const skippedBy = [...s.reasons].filter(([k]) => k.startsWith('skipped:')).map(([k, v]) => `${k.slice(8)} ${formatCount(v)}`);
  const lines = [
    `sync ${runName}: ${formatCount(s.selected)} selected, ${formatCount(s.synced)} synced, ${formatCount(s.skipped)} skipped${skippedBy.length > 0 ? ` (${skippedBy.join(', ')})` : ''}, ${formatCount(s.unavailable)} not available on GRIN, ${formatCount(s.failed)} failed${s.dropped > 0 ? `, ${formatCount(s.dropped)} not started` : ''}`,
    `  ${formatBytes(s.bytesDownloaded)} downloaded, ${formatBytes(s.bytesStored)} stored in ${elapsedSeconds.toFixed(1)} s${s.retries > 0 ? `, ${formatCount(s.retries)} retried attempts` : ''}`,
    `  storage:   ${where.storage}`,
    `  catalogue: ${where.catalogue}`,
  ];
  if (result.failures.length > 0) {
    lines.push('  failed volumes:');
    for (const f of result.failures.slice(0, 10)) lines.push(`    ${f.barcode} (${f.step}): ${f.error.message}`);
    if (s.failed > 10) lines.push(`    ... and ${formatCount(s.failed - 10)} more (see book_status_history in the catalogue)`);
  }
  return `${lines.join('\n')}\n`;
}
