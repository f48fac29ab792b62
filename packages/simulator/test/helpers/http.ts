import http from 'node:http';
import net from 'node:net';
import { startSimulator } from '../../src/index.js';
import type { RunningSimulator, SimulatorOptions } from '../../src/index.js';

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

export interface TestSim {
  sim: RunningSimulator;
  token: string;
  /** GET/HEAD a path (relative to the simulator origin, or an absolute URL) with the bearer token. */
  get(path: string, opts?: { method?: string; token?: string | null; headers?: Record<string, string> }): Promise<HttpResult>;
  /** `/libraries/DIR/` + rest */
  lib(rest: string): string;
}

export async function startTestSim(options: SimulatorOptions = {}): Promise<TestSim> {
  const sim = await startSimulator(options);
  const token = sim.issueAccessToken().accessToken;
  return {
    sim,
    token,
    get: (path, opts = {}) => {
      const headers: Record<string, string> = { ...opts.headers };
      const bearer = opts.token === undefined ? token : opts.token;
      if (bearer !== null) headers['Authorization'] = `Bearer ${bearer}`;
      return httpRequest(path.startsWith('http') ? path : `${sim.url}${path}`, { method: opts.method ?? 'GET', headers });
    },
    lib: (rest) => `/libraries/${sim.libraryDirectory}/${rest}`,
  };
}

export function httpRequest(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? 'GET', headers: opts.headers, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (chunk: Buffer) => parts.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(parts);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

export interface RawResult {
  head: string;
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** Number of socket reads carrying data (slow drip shows many). */
  reads: number;
  error?: string;
  closedAfterMs: number;
}

/** A request over a bare socket, reading until the server closes: sees exactly what was sent. */
export function rawRequest(url: string, path: string, headers: Record<string, string>, method = 'GET'): Promise<RawResult> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(Number(port), hostname);
    const parts: Buffer[] = [];
    let reads = 0;
    let error: string | undefined;
    socket.on('connect', () => {
      const lines = [`${method} ${path} HTTP/1.1`, `Host: ${hostname}:${port}`, 'Connection: close'];
      for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
    socket.on('data', (chunk) => {
      reads++;
      parts.push(chunk);
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      error = err.code ?? err.message;
    });
    socket.on('close', () => {
      const all = Buffer.concat(parts);
      const split = all.indexOf('\r\n\r\n');
      const head = split < 0 ? all.toString('latin1') : all.subarray(0, split).toString('latin1');
      const [statusLine, ...headerLines] = head.split('\r\n');
      const parsed: Record<string, string> = {};
      for (const line of headerLines) {
        const colon = line.indexOf(':');
        if (colon > 0) parsed[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      const result: RawResult = {
        head,
        status: Number(statusLine?.split(' ')[1] ?? 0),
        headers: parsed,
        body: split < 0 ? Buffer.alloc(0) : all.subarray(split + 4),
        reads,
        closedAfterMs: Date.now() - started,
      };
      if (error !== undefined) result.error = error;
      resolve(result);
    });
  });
}

/** Decodes a chunked transfer-encoded body. */
export function dechunk(body: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = parseInt(body.subarray(at, eol).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    out.push(body.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}
