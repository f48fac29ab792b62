import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ForwardingProxy {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  close(): Promise<void>;
}

/**
 * A real HTTP proxy on 127.0.0.1 in front of `target`: `intercept` may answer a request itself
 * (returning true); everything else is forwarded unchanged and the answer passed back.
 */
export async function startForwardingProxy(target: string, intercept: (req: IncomingMessage, res: ServerResponse) => boolean): Promise<ForwardingProxy> {
  const upstreamUrl = new URL(target);
  const server: Server = createServer((req, res) => {
    if (intercept(req, res)) return;
    const upstream = request({ host: upstreamUrl.hostname, port: upstreamUrl.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
