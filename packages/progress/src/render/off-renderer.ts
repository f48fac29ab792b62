import { sanitizeLine } from '../lines/sanitize.js';
import { SAMPLE_MS } from './interval-schedule.js';
import type { Renderer } from './renderer.js';
import type { TextSink } from './text-sink.js';

/** No progress output at all; log lines still go to the stream, as plain text. */
export class OffRenderer implements Renderer {
  readonly tickMs = SAMPLE_MS;

  constructor(private readonly stream: TextSink) {}

  start(): void {}

  update(): void {}

  log(line: string): void {
    for (const part of line.split('\n')) this.stream.write(`${sanitizeLine(part)}\n`);
  }

  finish(): void {}
}
