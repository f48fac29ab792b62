import { closeSync, createReadStream } from 'node:fs';
import type { ArchiveStore } from './archiveStore.js';
import { type SimResponse, textResponse } from '../http/simResponse.js';
import type { SimulatedBook } from '../types.js';

const CHUNK = 1024 * 1024;

/** HEAD/GET `BARCODE.tar.gz.gpg`: 404 unless the book's archive is currently available. */
export async function handleArchive(method: string, book: SimulatedBook | undefined, store: ArchiveStore): Promise<SimResponse> {
  if (!book?.archiveAvailable) return textResponse(404, 'Not Found\n');
  if (method === 'HEAD') {
    const truth = await store.get(book);
    return {
      status: 200,
      headers: { 'Content-Type': 'application/octet-stream', ETag: `"${truth.etag}"` },
      body: { chunks: () => [], length: truth.encryptedSize },
    };
  }
  const { truth, fd } = await store.openForRead(book);
  // The read stream owns the fd once created (it closes it after any pending read).
  let stream: ReturnType<typeof createReadStream> | undefined;
  let closed = false;
  return {
    status: 200,
    headers: {
      'Content-Type': 'application/octet-stream',
      ETag: `"${truth.etag}"`,
      'Content-Disposition': `attachment; filename="${book.barcode}.tar.gz.gpg"`,
    },
    body: {
      length: truth.encryptedSize,
      chunks: () => (stream = createReadStream('', { fd, autoClose: true, start: 0, highWaterMark: CHUNK })),
    },
    dispose: () => {
      if (closed) return;
      closed = true;
      if (stream) stream.destroy();
      else closeSync(fd);
    },
  };
}
