// A separate process, so the server's CPU time can be measured on its own.
// argv[2]: JSON {origin, paths, token}; prints JSON {ms, bytes}.
import http from 'node:http';

const { origin, paths, token } = JSON.parse(process.argv[2]);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function get(path) {
  return new Promise((resolve, reject) => {
    const req = http.get(`${origin}${path}`, { agent, headers: { Authorization: `Bearer ${token}` } }, (res) => {
      let bytes = 0;
      res.on('data', (chunk) => (bytes += chunk.length));
      res.on('end', () => (res.statusCode === 200 ? resolve(bytes) : reject(new Error(`HTTP ${res.statusCode} for ${path}`))));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

const started = performance.now();
let bytes = 0;
for (const path of paths) bytes += await get(path);
process.stdout.write(JSON.stringify({ ms: performance.now() - started, bytes }));
agent.destroy();
