// Child process for the listing benchmark: serves N pre-built 10,000-row pages over loopback so
// that serving them costs the measuring process nothing. Reports its port over IPC.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listingPageHtml } from './listing-page-html.js';

const rows = Number(process.argv[2] ?? 10_000);
const pages = Number(process.argv[3] ?? 8);
const CHUNK = 64 * 1024;
const bodies = Array.from({ length: pages }, (_, p) =>
  Buffer.from(listingPageHtml(rows, p * rows, p + 1 < pages ? `_all_books?result_count=${rows}&amp;first=${(p + 1) * rows}` : null)),
);
const server = createServer((req, res) => {
  const first = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('first') ?? 0);
  const body = bodies[first / rows];
  if (body === undefined) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': body.length });
  for (let i = 0; i < body.length; i += CHUNK) res.write(body.subarray(i, i + CHUNK));
  res.end();
});
server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});
process.on('disconnect', () => {
  server.closeAllConnections();
  server.close();
});
