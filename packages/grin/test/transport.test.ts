import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NetworkError, PermissionError, ProtocolError } from '../src/index.js';
import { useFixtureClients } from './helpers/fixture-clients.js';
import { startFixtureServer, type FixtureServer } from './helpers/fixture-server.js';

const { server, make } = useFixtureClients();
// A second origin, for redirects that leave the first one.
let other: FixtureServer;
beforeAll(async () => {
  other = await startFixtureServer();
});
afterAll(() => other.close());
afterEach(() => {
  other.requests.length = 0;
});

describe('redirects and statuses', () => {
  it('follows up to 5 redirects (relative Locations), re-sending the bearer on the same origin', async () => {
    const { client, events } = make();
    // archive URL -> /hop/4 -> 3 -> 2 -> 1 -> 0 : 5 redirects
    server.setHandler((req, res, url) => {
      if (url.pathname.endsWith('.tar.gz.gpg')) return void res.writeHead(302, { location: '/hop/4' }).end();
      const n = Number(/\/hop\/(\d+)$/.exec(url.pathname)?.[1]);
      if (n > 0) return void res.writeHead(301, { location: `${n - 1}` }).end();
      res.writeHead(200, { etag: '"final"', 'content-length': '2' }).end(req.method === 'HEAD' ? undefined : 'ok');
    });
    expect(await client.headArchive('B1')).toEqual({ etag: 'final', size: 2 });
    expect(server.requests.map((r) => r.path)).toEqual(['/libraries/Lib/B1.tar.gz.gpg', '/hop/4', '/hop/3', '/hop/2', '/hop/1', '/hop/0']);
    expect(server.requests.every((r) => r.authorization === 'Bearer tok')).toBe(true);
    expect(events.filter((e) => e.type === 'redirect')).toHaveLength(5);
  });

  it('fails with ProtocolError after more than 5 redirects', async () => {
    server.setHandler((_req, res, url) => {
      if (url.pathname.endsWith('.tar.gz.gpg')) return void res.writeHead(302, { location: '/hop/9' }).end();
      const n = Number(/\/hop\/(\d+)$/.exec(url.pathname)?.[1]);
      res.writeHead(302, { location: `${n - 1}` }).end();
    });
    const { client } = make();
    const error = await client.headArchive('B1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as Error).message).toContain('redirects');
    expect(server.requests).toHaveLength(6);
  });

  it('does not send the bearer token to another origin', async () => {
    other.setHandler((_req, res) => void res.writeHead(200, { etag: '"x"', 'content-length': '0' }).end());
    server.setHandler((_req, res) => void res.writeHead(302, { location: `${other.url}/elsewhere` }).end());
    const { client } = make();
    await client.headArchive('B1');
    expect(other.requests).toEqual([{ method: 'HEAD', path: '/elsewhere', authorization: undefined }]);
  });

  it('maps 403 (also after a redirect) to PermissionError with the half-a-day hint', async () => {
    server.setHandler((_req, res, url) => {
      if (url.pathname === '/denied') return void res.writeHead(403).end();
      res.writeHead(302, { location: '/denied' }).end();
    });
    const { client, time } = make();
    const error = (await client.headArchive('B1').catch((e: unknown) => e)) as PermissionError;
    expect(error).toBeInstanceOf(PermissionError);
    expect(error.code).toBe('permission_denied');
    expect(error.retryable).toBe(false);
    expect(error.hint).toContain('half a day');
    expect(time.sleeps).toEqual([]);
  });

  it('treats a non-login redirect as success for the credential probe', async () => {
    server.setHandler((_req, res) => void res.writeHead(302, { location: '/libraries/Lib/_all_books' }).end());
    const { client } = make();
    await client.probe();
    expect(server.requests.map((r) => r.path)).toEqual(['/libraries/Lib/?format=text&result_count=1']);
  });
});

describe('timeouts', () => {
  it('fails a request whose headers never come within the idle timeout', async () => {
    server.setHandler(() => undefined); // never answers
    const { client } = make({ idleTimeoutMs: 150, retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 } });
    const error = await client.probe().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as Error).message).toMatch(/headers|idle/i);
    expect(server.requests).toHaveLength(2);
  });

  it('lets a slow but moving transfer finish, longer than the idle timeout in total', async () => {
    const body = Buffer.alloc(12, 'x');
    server.setHandler(async (_req, res) => {
      res.writeHead(200, { etag: '"slow"', 'content-length': String(body.length) });
      for (let i = 0; i < body.length; i += 2) {
        res.write(body.subarray(i, i + 2));
        await new Promise((r) => setTimeout(r, 60));
      }
      res.end();
    });
    const { client } = make({ idleTimeoutMs: 200 });
    const download = await client.downloadArchive('SLOW1');
    let received = 0;
    for await (const chunk of download.body) received += (chunk as Buffer).length;
    expect(received).toBe(12); // ~360 ms in total, each gap 60 ms < 200 ms
  });

  for (const parseIn of ['worker', 'main'] as const) {
    it(`fails a listing page that stalls mid-body, parsed in the ${parseIn} thread, and retries it`, async () => {
      server.setHandler((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.write('<html><body><table class="results"><tr class="heading"><td></td><td>Barcode</td></tr>');
      });
      const { client } = make({ idleTimeoutMs: 150, retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 } });
      const started = Date.now();
      const error = await (async () => {
        for await (const _ of client.listPages('_all_books', { pageSize: 10, parseIn })) {
          // never reached
        }
      })().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NetworkError);
      expect((error as Error).message).toMatch(/stall|idle|timeout|body/i);
      expect(server.requests.filter((r) => r.path.includes('_all_books'))).toHaveLength(2);
      expect(Date.now() - started).toBeLessThan(10_000);
    });
  }

  it('fails a transfer that stalls for the idle timeout', async () => {
    server.setHandler((_req, res) => {
      res.writeHead(200, { etag: '"stall"', 'content-length': '100' });
      res.write(Buffer.alloc(10));
    });
    const { client } = make({ idleTimeoutMs: 150 });
    const download = await client.downloadArchive('STALL1');
    const error = await (async () => {
      for await (const _ of download.body) {
        // drain
      }
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as Error).message).toMatch(/stalled|idle/i);
  });
});
