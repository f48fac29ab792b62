import { computeEta, formatEta, type Eta } from '../eta/eta.js';
import { formatBytes } from '../format/format-bytes.js';
import { formatCount, formatPercent } from '../format/format-count.js';
import { formatDuration } from '../format/format-duration.js';
import { formatByteRate, formatRate } from '../format/format-rate.js';
import { toUnit, unitLabel, type Unit, type UnitInput } from '../format/unit.js';
import { sanitizeLine } from './sanitize.js';

/** Extra key/values: a record (insertion order) or ordered pairs. */
export type ExtraInput = Readonly<Record<string, string | number>> | ReadonlyArray<readonly [string, string | number]>;

/** What a progress line shows (a ProgressSnapshot satisfies it). */
export interface ProgressLineInput {
  /** Shown first, e.g. `Collecting _all_books`. */
  readonly operation?: string;
  readonly unit?: UnitInput | Unit;
  readonly completed: number;
  readonly total: number | null;
  /** Units per second, `null` when unknown. */
  readonly rate: number | null;
  readonly elapsedSeconds: number;
  /** The ETA; derived from remaining / rate when absent. */
  readonly eta?: Eta;
  readonly bytes?: number;
  readonly bytesTotal?: number | null;
  readonly byteRate?: number | null;
  readonly extra?: ExtraInput;
}

/** One field of a progress line, tagged so renderers can style it. */
export interface LinePart {
  readonly kind: 'operation' | 'count' | 'percent' | 'rate' | 'elapsed' | 'eta' | 'bytes' | 'extra';
  readonly text: string;
}

/** The fields of a progress line, in display order, without separators. */
export function progressLineParts(input: ProgressLineInput): LinePart[] {
  const unit = input.unit === undefined ? toUnit(undefined) : typeof input.unit === 'string' ? toUnit(input.unit) : input.unit;
  const parts: LinePart[] = [];
  if (input.operation) parts.push({ kind: 'operation', text: sanitizeLine(input.operation) });
  const hasTotal = input.total !== null && input.total > 0;
  const count = hasTotal
    ? `${formatCount(input.completed)}/${formatCount(input.total ?? 0)} ${unit.plural}`
    : `${formatCount(input.completed)} ${unitLabel(input.completed, unit)}`;
  parts.push({ kind: 'count', text: count });
  if (hasTotal) parts.push({ kind: 'percent', text: formatPercent((input.completed / (input.total ?? 1)) * 100) });
  parts.push({ kind: 'rate', text: formatRate(input.rate, unit) });
  parts.push({ kind: 'elapsed', text: formatDuration(input.elapsedSeconds) });
  const eta = input.eta ?? computeEta({ remaining: input.total === null ? null : input.total - input.completed, rate: input.rate });
  if (input.total !== null || eta.state === 'stalled') parts.push({ kind: 'eta', text: formatEta(eta) });
  const bytes = input.bytes ?? 0;
  if (bytes > 0 || (input.bytesTotal ?? null) !== null) {
    const amount = input.bytesTotal !== undefined && input.bytesTotal !== null
      ? `${formatBytes(bytes)}/${formatBytes(input.bytesTotal)}`
      : formatBytes(bytes);
    parts.push({ kind: 'bytes', text: `${amount} @ ${formatByteRate(input.byteRate ?? null)}` });
  }
  for (const [key, value] of extraEntries(input.extra)) {
    parts.push({ kind: 'extra', text: sanitizeLine(`${key}: ${typeof value === 'number' ? formatNumber(value) : value}`) });
  }
  return parts;
}

/**
 * The generic progress line (the seed's `show_progress`), e.g.
 * `Collecting: 1,234/5,000 books (24.6%) - 12.3 books/s - elapsed: 1m 40s - ETA: 5m 06s [current: 3204...]`.
 * Without a total: `Collecting: 1,234 books - 12.3 books/s - elapsed: 1m 40s`.
 * Bytes, when counted, follow the ETA: `- 1.2 GiB/3.4 GiB @ 10.0 MiB/s`.
 */
export function formatProgressLine(input: ProgressLineInput): string {
  const parts = progressLineParts(input);
  let line = '';
  const extras: string[] = [];
  for (const part of parts) {
    switch (part.kind) {
      case 'operation':
        line += `${part.text}: `;
        break;
      case 'count':
        line += part.text;
        break;
      case 'percent':
        line += ` (${part.text})`;
        break;
      case 'elapsed':
        line += ` - elapsed: ${part.text}`;
        break;
      case 'eta':
        line += ` - ETA: ${part.text}`;
        break;
      case 'extra':
        extras.push(part.text);
        break;
      default:
        line += ` - ${part.text}`;
    }
  }
  return extras.length > 0 ? `${line} [${extras.join(', ')}]` : line;
}

/** Entries of an extra input in order. */
export function extraEntries(extra: ExtraInput | undefined): ReadonlyArray<readonly [string, string | number]> {
  if (extra === undefined) return [];
  return Array.isArray(extra) ? (extra as ReadonlyArray<readonly [string, string | number]>) : Object.entries(extra);
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? formatCount(value) : String(value);
}
