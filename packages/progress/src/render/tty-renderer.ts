import { formatEta } from '../eta/eta.js';
import { progressLineParts } from '../lines/progress-line.js';
import { withQueueExtras } from '../lines/queue-progress-line.js';
import { formatSummary } from '../lines/summary-line.js';
import type { ProcessLike, ProgressSnapshot, ProgressSummary } from '../reporter/types.js';
import type { Renderer } from './renderer.js';
import type { TextSink } from './text-sink.js';
import { ANSI, fitStyled, paint, type Styled } from './terminal-text.js';

/** Options of {@link TtyRenderer}. */
export interface TtyRendererOptions {
  readonly stream: TextSink;
  /** Emit colours (NO_COLOR unset). */
  readonly color: boolean;
  /** Watched for exit/SIGINT/SIGTERM to restore the terminal; `null` to not watch. */
  readonly process: ProcessLike | null;
}

type Signal = 'SIGINT' | 'SIGTERM';

/**
 * One live status line redrawn in place (`\r` + erase), at most every
 * 100 ms and only when its text changed, cut to the terminal width so it
 * never wraps. The cursor is hidden while the line is live and restored on
 * finish, on process exit and on SIGINT/SIGTERM; after restoring on a signal
 * it re-raises the signal if nobody else handles it, so Ctrl-C still stops
 * a program that has no handler of its own.
 */
export class TtyRenderer implements Renderer {
  readonly tickMs = 100;
  private readonly stream: TextSink;
  private readonly color: boolean;
  private readonly proc: ProcessLike | null;
  private displayed = false;
  private lastLine = '';
  private cursorHidden = false;
  private done = false;
  private readonly onExit = () => this.restore();
  private readonly onSigint = () => this.onSignal('SIGINT');
  private readonly onSigterm = () => this.onSignal('SIGTERM');

  constructor(options: TtyRendererOptions) {
    this.stream = options.stream;
    this.color = options.color;
    this.proc = options.process;
  }

  start(snapshot: ProgressSnapshot): void {
    if (this.proc) {
      this.proc.on('exit', this.onExit);
      this.proc.on('SIGINT', this.onSigint);
      this.proc.on('SIGTERM', this.onSigterm);
    }
    this.stream.write(ANSI.hideCursor);
    this.cursorHidden = true;
    this.draw(snapshot);
  }

  update(snapshot: ProgressSnapshot): void {
    this.draw(snapshot);
  }

  /** Clears the live line, prints `line`, and leaves the status to the next tick (keeps redraws <= 10/s). */
  log(line: string): void {
    if (this.done) {
      this.stream.write(`${line.replace(/\r/g, '')}\n`);
      return;
    }
    this.stream.write(`${this.displayed ? ANSI.clearLine : ''}${line.replace(/\r/g, '')}\n`);
    this.displayed = false;
    this.lastLine = '';
  }

  finish(summary: ProgressSummary): void {
    if (this.done) return;
    this.restore();
    this.stream.write(`${this.paintSummary(summary)}\n`);
    this.detach();
    this.done = true;
  }

  private draw(snapshot: ProgressSnapshot): void {
    if (this.done) return;
    // A pty may report 0 columns; treat that as unknown.
    const columns = this.stream.columns !== undefined && this.stream.columns > 0 ? this.stream.columns : 80;
    const width = Math.max(20, columns - 1);
    const line = fitStyled(this.pieces(snapshot, width), width, this.color);
    if (this.displayed && line === this.lastLine) return;
    this.stream.write(`\r${line}${ANSI.eraseToEnd}`);
    this.displayed = true;
    this.lastLine = line;
  }

  private pieces(snapshot: ProgressSnapshot, width: number): Styled[] {
    const parts = progressLineParts({ ...snapshot, extra: withQueueExtras(snapshot.queue, snapshot.extra) });
    const out: Styled[] = [];
    const sep: Styled = { text: ' | ', style: 'dim' };
    let barAt = -1;
    for (const part of parts) {
      switch (part.kind) {
        case 'operation':
          out.push({ text: part.text, style: 'bold' }, { text: ' ' });
          barAt = out.length;
          break;
        case 'count':
          out.push({ text: part.text });
          break;
        case 'percent':
          out.push({ text: ' ' }, { text: part.text, style: 'green' });
          break;
        case 'elapsed':
          out.push(sep, { text: `elapsed ${part.text}` });
          break;
        case 'eta':
          out.push(sep, snapshot.eta.state === 'stalled'
            ? { text: formatEta(snapshot.eta), style: 'yellow' }
            : { text: `ETA ${part.text}`, style: 'cyan' });
          break;
        default:
          out.push(sep, { text: part.text });
      }
    }
    // The bar only takes room the information leaves free.
    const cells = Math.min(MAX_BAR_CELLS, width - visibleLength(out) - 3);
    if (snapshot.percent !== null && barAt >= 0 && cells >= MIN_BAR_CELLS) out.splice(barAt, 0, ...bar(snapshot.percent, cells), { text: ' ' });
    return out;
  }

  private paintSummary(summary: ProgressSummary): string {
    const text = formatSummary(summary);
    if (!this.color) return text;
    const style = summary.status === 'completed' ? 'green' : summary.status === 'failed' ? 'red' : 'yellow';
    const cut = text.indexOf(' | ');
    const head = cut < 0 ? text : text.slice(0, cut);
    return `${paint(head, style, true)}${text.slice(head.length)}`;
  }

  /** Clears the live line and shows the cursor. Idempotent, synchronous (safe in an exit handler). */
  private restore(): void {
    let out = '';
    if (this.displayed) out += ANSI.clearLine;
    if (this.cursorHidden) out += ANSI.showCursor;
    this.displayed = false;
    this.lastLine = '';
    this.cursorHidden = false;
    if (out !== '') this.stream.write(out);
  }

  private onSignal(signal: Signal): void {
    this.restore();
    const proc = this.proc;
    if (!proc) return;
    proc.removeListener(signal, signal === 'SIGINT' ? this.onSigint : this.onSigterm);
    if (proc.listenerCount(signal) === 0) {
      // We were the only handler: behave as if we had never been there.
      this.detach();
      this.done = true;
      proc.kill(proc.pid, signal);
    }
  }

  private detach(): void {
    if (!this.proc) return;
    this.proc.removeListener('exit', this.onExit);
    this.proc.removeListener('SIGINT', this.onSigint);
    this.proc.removeListener('SIGTERM', this.onSigterm);
  }
}

const MIN_BAR_CELLS = 10;
const MAX_BAR_CELLS = 30;

function visibleLength(pieces: readonly Styled[]): number {
  let n = 0;
  for (const piece of pieces) n += Array.from(piece.text).length;
  return n;
}

function bar(percent: number, cells: number): Styled[] {
  const filled = Math.max(0, Math.min(cells, Math.floor((percent / 100) * cells)));
  return [
    { text: '[' },
    { text: '█'.repeat(filled), style: 'green' },
    { text: '░'.repeat(cells - filled), style: 'dim' },
    { text: ']' },
  ];
}
