import { afterAll, afterEach, beforeAll } from 'vitest';
import type { GrinClient, GrinClientOptions } from '../../src/index.js';
import { startFixtureServer, type FixtureServer } from './fixture-server.js';
import { testClient, type TestClient } from './test-client.js';

export interface FixtureClients {
  /** The file's fixture server (usable from the first test on). */
  server: FixtureServer;
  /** A {@link testClient} against the server, closed after the test. */
  make(extra?: Partial<GrinClientOptions>): TestClient;
}

/**
 * Set-up shared by the client tests of one file: a fixture server started before its tests and
 * closed after them; after each test the clients it made are closed and the request log cleared.
 * `defaults` is read at each `make` (for options that a `describe` switches, like `parseIn`).
 */
export function useFixtureClients(defaults: () => Partial<GrinClientOptions> = () => ({})): FixtureClients {
  let started: FixtureServer | undefined;
  let clients: GrinClient[] = [];
  const current = (): FixtureServer => {
    if (started === undefined) throw new Error('the fixture server starts in beforeAll');
    return started;
  };
  const server: FixtureServer = {
    get url() {
      return current().url;
    },
    get baseUrl() {
      return current().baseUrl;
    },
    get requests() {
      return current().requests;
    },
    setHandler: (handler) => current().setHandler(handler),
    close: () => current().close(),
  };

  beforeAll(async () => {
    started = await startFixtureServer();
  });
  afterAll(() => server.close());
  afterEach(async () => {
    await Promise.all(clients.map((c) => c.close()));
    clients = [];
    server.requests.length = 0;
  });

  return {
    server,
    make(extra = {}) {
      const t = testClient(server, { ...defaults(), ...extra });
      clients.push(t.client);
      return t;
    },
  };
}
