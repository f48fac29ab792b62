import type { ProgressReporter } from '@grin/progress';

/**
 * Where collect's messages go: through the progress reporter while one is live (so a terminal's
 * live line is not torn), straight to stderr otherwise. With `--progress json` the messages
 * outside the reporter are JSON `log` events too, so stderr stays one JSON object per line.
 */
export class MessageSink {
  private reporter: ProgressReporter | null = null;

  constructor(
    private readonly stderr: NodeJS.WritableStream,
    private readonly json = false,
    private readonly now: () => Date = () => new Date(),
  ) {}

  attach(reporter: ProgressReporter): void {
    this.reporter = reporter;
  }

  detach(): void {
    this.reporter = null;
  }

  say(line: string): void {
    if (this.reporter) this.reporter.log(line);
    else if (this.json) this.stderr.write(`${JSON.stringify({ event: 'log', time: this.now().toISOString(), message: line })}\n`);
    else this.stderr.write(`${line}\n`);
  }
}
