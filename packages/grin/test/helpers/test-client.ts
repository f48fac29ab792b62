import { createGrinClient, staticTokenProvider, type ClientEvent, type GrinClient, type GrinClientOptions } from '../../src/index.js';
import { fakeTime } from './fake-clock.js';
import type { FixtureServer } from './fixture-server.js';

export interface TestClient {
  client: GrinClient;
  time: ReturnType<typeof fakeTime>;
  events: ClientEvent[];
}

/** A client against a fixture server: fixed token, fake clock/sleep, jitter 0.5, no rate limit. */
export function testClient(server: FixtureServer, extra: Partial<GrinClientOptions> = {}): TestClient {
  const time = fakeTime();
  const events: ClientEvent[] = [];
  const client = createGrinClient({
    libraryDirectory: 'Lib',
    baseUrl: server.baseUrl,
    tokenProvider: staticTokenProvider('tok'),
    clock: time.clock,
    sleep: time.sleep,
    random: () => 0.5,
    requestsPerSecond: Number.POSITIVE_INFINITY,
    retry: { attempts: 4, baseDelayMs: 1000, maxDelayMs: 8000 },
    parseIn: 'main',
    onEvent: (e) => events.push(e),
    ...extra,
  });
  return { client, time, events };
}
