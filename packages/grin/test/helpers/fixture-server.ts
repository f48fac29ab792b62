import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

export interface LoggedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
}

export interface FixtureServer {
  url: string;
  /** `${url}/libraries/` */
  baseUrl: string;
  requests: LoggedRequest[];
  setHandler(handler: Handler): void;
  close(): Promise<void>;
}

/** A tiny HTTP server on 127.0.0.1:0 whose behaviour each test sets. */
export async function startFixtureServer(handler: Handler = (_req, res) => void res.writeHead(404).end()): Promise<FixtureServer> {
  let current = handler;
  const requests: LoggedRequest[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push({ method: req.method ?? 'GET', path: `${url.pathname}${url.search}`, authorization: req.headers.authorization });
    Promise.resolve(current(req, res, url)).catch((error: unknown) => {
      res.destroy(error as Error);
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    baseUrl: `${url}/libraries/`,
    requests,
    setHandler(next) {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Reads a request body as text. */
export async function bodyText(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return text;
}
