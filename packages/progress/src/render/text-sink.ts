import type { ProgressStream } from '../reporter/types.js';

/** What renderers write to. */
export interface TextSink {
  write(text: string): void;
  /** Terminal width, when known. */
  readonly columns: number | undefined;
  /** Stops listening to the stream. */
  close(): void;
}

/**
 * Wraps a stream so a broken output (EPIPE after `| head`, a closed
 * terminal) silences progress output instead of crashing the job being
 * reported on: the first error, thrown or emitted, turns writes into no-ops.
 */
export function guardedSink(stream: ProgressStream): TextSink {
  let broken = false;
  const onError = () => {
    broken = true;
  };
  const emitter = stream as Partial<Pick<NodeJS.EventEmitter, 'on' | 'removeListener'>>;
  emitter.on?.call(stream, 'error', onError);
  return {
    write(text: string): void {
      if (broken) return;
      try {
        stream.write(text);
      } catch {
        broken = true;
      }
    },
    get columns() {
      return stream.columns;
    },
    close(): void {
      emitter.removeListener?.call(stream, 'error', onError);
    },
  };
}
