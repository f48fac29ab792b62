import type { Readable } from 'node:stream';
import { toNetworkError } from './network-error.js';
import { abortReason } from './sleep.js';

/** Reads a whole response body as UTF-8 text; failures become NetworkErrors naming the URL. */
export async function readText(body: Readable, url: string, signal?: AbortSignal): Promise<string> {
  const decoder = new TextDecoder('utf-8');
  let text = '';
  try {
    for await (const chunk of body as AsyncIterable<Uint8Array>) text += decoder.decode(chunk, { stream: true });
  } catch (error) {
    if (signal?.aborted) throw abortReason(signal);
    throw toNetworkError(error, url);
  }
  return text + decoder.decode();
}

/** Yields the lines of a body as they arrive (without line terminators, `\r\n` handled). */
export async function* readLines(body: Readable, url: string, signal?: AbortSignal): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  let rest = '';
  try {
    for await (const chunk of body as AsyncIterable<Uint8Array>) {
      rest += decoder.decode(chunk, { stream: true });
      let start = 0;
      let nl = rest.indexOf('\n', start);
      while (nl >= 0) {
        yield stripCr(rest.slice(start, nl));
        start = nl + 1;
        nl = rest.indexOf('\n', start);
      }
      rest = rest.slice(start);
    }
  } catch (error) {
    if (signal?.aborted) throw abortReason(signal);
    throw toNetworkError(error, url);
  }
  rest += decoder.decode();
  if (rest !== '') yield stripCr(rest);
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

/** Drops a response body we will not read (its abort error is expected and swallowed). */
export function discardBody(body: Readable): void {
  body.on('error', () => undefined);
  if (!body.destroyed) body.destroy();
}
