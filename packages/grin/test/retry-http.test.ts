import { describe, expect, it } from 'vitest';
import { NetworkError, NotFoundError, QueueFullError, ServerError } from '../src/index.js';
import { useFixtureClients } from './helpers/fixture-clients.js';

const { server, make } = useFixtureClients();

/** Answers the first `failures.length` requests with the given failures, then 200. */
function failThenOk(failures: Array<(res: import('node:http').ServerResponse) => void>) {
  let n = 0;
  server.setHandler((req, res) => {
    const fail = failures[n++];
    if (fail) return fail(res);
    res.writeHead(200, { 'content-type': 'text/plain', etag: '"e1"', 'content-length': '5' });
    res.end(req.method === 'HEAD' ? undefined : 'hello');
  });
}

describe('retries', () => {
  it('honours Retry-After in seconds on 503 (asserting the requested sleeps)', async () => {
    failThenOk([
      (res) => res.writeHead(503, { 'retry-after': '7' }).end(),
      (res) => res.writeHead(503, { 'retry-after': '3' }).end(),
    ]);
    const { client, time, events } = make();
    await client.probe();
    expect(time.sleeps).toEqual([7000, 3000]);
    expect(server.requests).toHaveLength(3);
    expect(events.filter((e) => e.type === 'retry').map((e) => e.type === 'retry' && [e.attempt, e.delayMs, e.status])).toEqual([
      [1, 7000, 503],
      [2, 3000, 503],
    ]);
  });

  it('honours Retry-After as an HTTP date on 429, relative to the injected clock', async () => {
    failThenOk([(res) => res.writeHead(429, { 'retry-after': 'Wed, 01 Jan 2025 00:00:30 GMT' }).end()]);
    const { client, time, events } = make();
    expect(await client.headArchive('B1')).toEqual({ etag: 'e1', size: 5 });
    expect(time.sleeps).toEqual([30_000]);
    expect(events.some((e) => e.type === 'throttled' && e.status === 429 && e.retryAfterMs === 30_000)).toBe(true);
  });

  it('backs off exponentially with full jitter on 5xx and gives up after the attempts', async () => {
    server.setHandler((_req, res) => void res.writeHead(500).end('boom'));
    const { client, time } = make();
    const error = await client.probe().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect((error as ServerError).code).toBe('server_error');
    expect(time.sleeps).toEqual([500, 1000, 2000]); // random 0.5 x 1000 x 2^(n-1)
    expect(server.requests).toHaveLength(4);
  });

  it('retries network errors (connection destroyed before an answer)', async () => {
    failThenOk([(res) => res.socket?.destroy(), (res) => res.socket?.destroy()]);
    const { client, time } = make();
    await client.probe();
    expect(time.sleeps).toEqual([500, 1000]);
  });

  it('surfaces a NetworkError once network retries are exhausted', async () => {
    server.setHandler((_req, res) => void res.socket?.destroy());
    const { client } = make({ retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 10 } });
    const error = await client.probe().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).retryable).toBe(true);
    expect(server.requests).toHaveLength(2);
  });

  it('does not retry 404', async () => {
    server.setHandler((_req, res) => void res.writeHead(404).end());
    const { client, time } = make();
    const error = await client.headArchive('MISSING1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).code).toBe('not_found');
    expect(server.requests).toHaveLength(1);
    expect(time.sleeps).toEqual([]);
  });

  it('does not retry a conversion request answered 429 (queue full)', async () => {
    server.setHandler((_req, res) => void res.writeHead(429, { 'retry-after': '1' }).end());
    const { client, time } = make();
    const error = await client.requestConversion(['B1', 'B2']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueueFullError);
    expect((error as QueueFullError).code).toBe('queue_full');
    expect((error as QueueFullError).retryable).toBe(false);
    expect(server.requests).toHaveLength(1);
    expect(time.sleeps).toEqual([]);
  });

  it('applies the request-rate limit on the injected clock', async () => {
    failThenOk([]);
    const { client, time } = make({ requestsPerSecond: 2, rateBurst: 1 });
    await client.probe();
    await client.probe();
    await client.probe();
    expect(time.sleeps).toEqual([500, 500]);
  });

  it('limits concurrent requests per host', async () => {
    let inFlight = 0;
    let peak = 0;
    server.setHandler(async (_req, res) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 30));
      inFlight -= 1;
      res.writeHead(200, { etag: '"e"', 'content-length': '0' }).end();
    });
    const { client } = make({ concurrency: 2 });
    await Promise.all(Array.from({ length: 8 }, (_, i) => client.headArchive(`B${i}`)));
    expect(server.requests).toHaveLength(8);
    expect(peak).toBe(2);
  });

  it('stops at once when the signal is already aborted', async () => {
    failThenOk([]);
    const { client } = make();
    const controller = new AbortController();
    controller.abort(new Error('user stop'));
    await expect(client.probe(controller.signal)).rejects.toThrow('user stop');
    expect(server.requests).toHaveLength(0);
  });

  it('stops retrying when aborted during the backoff', async () => {
    server.setHandler((_req, res) => void res.writeHead(503).end());
    const controller = new AbortController();
    const { client } = make({
      sleep: (_ms, signal) => {
        controller.abort(new Error('stopped while waiting'));
        return Promise.reject(signal?.reason);
      },
    });
    await expect(client.probe(controller.signal)).rejects.toThrow('stopped while waiting');
    expect(server.requests).toHaveLength(1);
  });
});
