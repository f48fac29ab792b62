import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { NetworkError, ProtocolError } from '../src/index.js';
import { useFixtureClients } from './helpers/fixture-clients.js';

const { server, make } = useFixtureClients();
const ARCHIVE = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 31) % 256));

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

function serveArchive(mode: 'ok' | 'no-etag' | 'truncate' | 'more-announced' = 'ok'): void {
  server.setHandler((req, res) => {
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream', 'content-length': String(ARCHIVE.length) };
    if (mode !== 'no-etag') headers['etag'] = '"abc123"';
    if (mode === 'more-announced') headers['content-length'] = String(ARCHIVE.length + 10);
    res.writeHead(200, headers);
    if (req.method === 'HEAD') return void res.end();
    if (mode === 'truncate' || mode === 'more-announced') {
      const sent = mode === 'truncate' ? ARCHIVE.subarray(0, 100_000) : ARCHIVE;
      res.write(sent);
      setTimeout(() => res.socket?.end(), 10);
      return;
    }
    res.end(ARCHIVE);
  });
}

describe('headArchive', () => {
  it('returns the ETag without quotes and the size', async () => {
    serveArchive();
    expect(await make().client.headArchive('B 1/x')).toEqual({ etag: 'abc123', size: ARCHIVE.length });
    expect(server.requests[0]).toMatchObject({ method: 'HEAD', path: '/libraries/Lib/B%201%2Fx.tar.gz.gpg' });
  });

  it('requires an ETag', async () => {
    serveArchive('no-etag');
    await expect(make().client.headArchive('B1')).rejects.toBeInstanceOf(ProtocolError);
  });
});

describe('downloadArchive', () => {
  it('streams the bytes, counting them for progress', async () => {
    serveArchive();
    const { client } = make();
    let counted = 0;
    const download = await client.downloadArchive('B1', { onBytes: (n) => (counted += n) });
    expect(download.etag).toBe('abc123');
    expect(download.size).toBe(ARCHIVE.length);
    const bytes = await readAll(download.body);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(createHash('sha256').update(ARCHIVE).digest('hex'));
    expect(counted).toBe(ARCHIVE.length);
  });

  it('fails (not retried) without an ETag', async () => {
    serveArchive('no-etag');
    const { client, time } = make();
    await expect(client.downloadArchive('B1')).rejects.toBeInstanceOf(ProtocolError);
    expect(time.sleeps).toEqual([]);
  });

  it('errors the stream when the body ends before Content-Length', async () => {
    serveArchive('truncate');
    const download = await make().client.downloadArchive('B1');
    const error = await readAll(download.body).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).retryable).toBe(true);
  });

  it('errors the stream when fewer bytes than announced arrive and the server closes', async () => {
    serveArchive('more-announced');
    const download = await make().client.downloadArchive('B1');
    await expect(readAll(download.body)).rejects.toBeInstanceOf(NetworkError);
  });

  it('rejects an announced size that differs from the expected one (e.g. from HEAD)', async () => {
    serveArchive();
    const { client } = make({ retry: { attempts: 1 } });
    await expect(client.downloadArchive('B1', { expectedSize: ARCHIVE.length - 1 })).rejects.toBeInstanceOf(NetworkError);
  });

  it('frees the connection slot when the consumer drops the stream', async () => {
    serveArchive();
    const { client } = make({ concurrency: 1 });
    const first = await client.downloadArchive('B1');
    first.body.destroy();
    const second = await client.downloadArchive('B2');
    expect((await readAll(second.body)).length).toBe(ARCHIVE.length);
  });
});
