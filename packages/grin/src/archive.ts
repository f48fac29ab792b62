import type { IncomingHttpHeaders } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';
import type { ClientContext } from './client-context.js';
import { NetworkError, ProtocolError } from './errors.js';
import { discardBody } from './http/body.js';
import { toNetworkError } from './http/network-error.js';
import { withRetry } from './http/retry.js';
import type { GrinResponse } from './http/transport.js';
import type { ArchiveDownload, ArchiveInfo, DownloadOptions, SignalOptions } from './types.js';

/** `{libraryUrl}{BARCODE}.tar.gz.gpg` */
export function archiveUrl(libraryUrl: string, barcode: string): string {
  if (barcode.trim() === '') throw new ProtocolError('An empty barcode has no archive URL.');
  return new URL(`${encodeURIComponent(barcode)}.tar.gz.gpg`, libraryUrl).toString();
}

/** ETag with surrounding double quotes removed, or null when absent/empty. */
export function stripEtag(value: string | string[] | undefined): string | null {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined) return null;
  const etag = raw.trim().replace(/^"(.*)"$/, '$1');
  return etag === '' ? null : etag;
}

function contentLength(headers: IncomingHttpHeaders): number | null {
  const raw = headers['content-length'];
  if (raw === undefined) return null;
  const n = Number(raw);
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}

/** HEAD of an archive: ETag (quotes stripped) and size. NotFoundError on 404 (not retried). */
export function headArchive(ctx: ClientContext, barcode: string, opts: SignalOptions = {}): Promise<ArchiveInfo> {
  const url = archiveUrl(ctx.libraryUrl, barcode);
  const { signal } = opts;
  return withRetry(ctx.retry, url, signal, async () => {
    const response = await ctx.transport.send(url, { method: 'HEAD', signal });
    await response.body.dump().catch(() => undefined);
    const etag = stripEtag(response.headers.etag);
    if (etag === null) throw new ProtocolError(`The HEAD answer for ${barcode} has no ETag (${url}).`, { url });
    return { etag, size: contentLength(response.headers) };
  });
}

/**
 * GET of an archive. Retries (network, 429, 5xx) cover everything up to the response headers;
 * once the stream is handed out, a failure surfaces as a retryable NetworkError on the stream
 * (the caller restarts the download). The stream fails when fewer or more bytes than
 * Content-Length arrive, and when it stalls for the idle timeout.
 */
export async function downloadArchive(
  ctx: ClientContext,
  barcode: string,
  opts: DownloadOptions = {},
): Promise<ArchiveDownload> {
  const url = archiveUrl(ctx.libraryUrl, barcode);
  const { signal } = opts;
  const response: GrinResponse = await withRetry(ctx.retry, url, signal, async () => {
    const res = await ctx.transport.send(url, { signal });
    if (stripEtag(res.headers.etag) === null) {
      discardBody(res.body);
      throw new ProtocolError(`The archive download of ${barcode} has no ETag header (${url}).`, { url });
    }
    const size = contentLength(res.headers);
    if (opts.expectedSize !== undefined && size !== null && size !== opts.expectedSize) {
      discardBody(res.body);
      throw new NetworkError(
        `The archive download of ${barcode} announces ${size} bytes but ${opts.expectedSize} were expected (${url}).`,
        { url },
      );
    }
    return res;
  });
  const etag = stripEtag(response.headers.etag) as string;
  const size = contentLength(response.headers);
  const counter = new ByteCounter(size, url, opts.onBytes);
  const source = response.body;
  source.on('error', (error) => {
    counter.destroy(signal?.aborted ? (signal.reason as Error) : toNetworkError(error, url));
  });
  // The consumer dropping the stream must free the connection slot.
  counter.on('close', () => {
    if (!source.destroyed) source.destroy();
  });
  source.pipe(counter);
  return { body: counter, etag, size };
}

/** Pass-through that counts bytes, reports them, and enforces the announced length. */
class ByteCounter extends Transform {
  private received = 0;

  constructor(
    private readonly expected: number | null,
    private readonly url: string,
    private readonly onBytes: ((n: number) => void) | undefined,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.received += chunk.length;
    if (this.expected !== null && this.received > this.expected) {
      callback(new NetworkError(`Received more than the announced ${this.expected} bytes from ${this.url}.`, { url: this.url }));
      return;
    }
    this.onBytes?.(chunk.length);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.expected !== null && this.received !== this.expected) {
      callback(
        new NetworkError(`Received ${this.received} of the announced ${this.expected} bytes from ${this.url}.`, {
          url: this.url,
        }),
      );
      return;
    }
    callback();
  }
}
