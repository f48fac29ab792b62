import { formatBytes } from '../format/format-bytes.js';
import { formatCount } from '../format/format-count.js';
import { formatDuration } from '../format/format-duration.js';
import { formatByteRate, formatRate } from '../format/format-rate.js';
import { pluralize } from '../format/unit.js';
import type { ProgressSummary } from '../reporter/types.js';
import { sanitizeLine } from './sanitize.js';

const HEADINGS = { completed: '✓ Completed', interrupted: '! Interrupted', failed: '✗ Failed' } as const;

/**
 * The final summary, e.g.
 * `✓ Completed Syncing | 5,000 books (4,700 this session) | avg 1.2 books/s | 12.3 GiB @ 3.4 MiB/s | total time: 1h 05m`.
 * Interrupted and failed runs show done/total and the message.
 */
export function formatSummary(summary: ProgressSummary): string {
  const parts: string[] = [`${HEADINGS[summary.status]} ${sanitizeLine(summary.operation)}`];
  let count = summary.status !== 'completed' && summary.total !== null
    ? `${formatCount(summary.completed)}/${formatCount(summary.total)} ${summary.unit.plural}`
    : pluralize(summary.completed, summary.unit);
  if (summary.initialCompleted > 0) count += ` (${formatCount(summary.sessionCompleted)} this session)`;
  parts.push(count);
  parts.push(`avg ${formatRate(summary.averageRate, summary.unit)}`);
  if (summary.bytes > 0) parts.push(`${formatBytes(summary.bytes)} @ ${formatByteRate(summary.averageByteRate)}`);
  parts.push(`total time: ${formatDuration(summary.elapsedSeconds)}`);
  if (summary.message !== null && summary.message !== '') parts.push(sanitizeLine(summary.message));
  return parts.join(' | ');
}
