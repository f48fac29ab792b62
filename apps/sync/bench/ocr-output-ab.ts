// Same-run A/B, in one process: CPU per ~100 KB simulator volume of extractVolume with the OCR
// JSONL kept in memory (default) vs forced through a temp file (maxOcrMemoryBytes: 0) and read
// back as the consumer used to upload it. Rounds alternate the order; medians of 7 after warm-up.
//   pnpm exec tsx bench/ocr-output-ab.ts   (run the sync benchmark once first: it fills the cache)
import { readdir, readFile, stat, mkdtemp, rm } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { PassThrough, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { extractVolume } from '../src/extract/index.js';
const cache = join(tmpdir(), 'grin-sync-bench-cache');
const vols: { barcode: string; data: Buffer }[] = [];
for (const n of (await readdir(cache)).filter((x) => x.endsWith('.tar.gz'))) {
  if ((await stat(join(cache, n))).size < 100_000) vols.push({ barcode: n.replace('.tar.gz', ''), data: await readFile(join(cache, n)) });
  if (vols.length >= 300) break;
}
const dir = await mkdtemp(join(tmpdir(), 'grin-ab-'));
async function one(v: { barcode: string; data: Buffer }, file: boolean): Promise<void> {
  const s = new PassThrough({ highWaterMark: 1 << 20 });
  const p = extractVolume(s, { barcode: v.barcode, marc: true, ocr: true, tempDir: dir, ...(file ? { maxOcrMemoryBytes: 0 } : {}) });
  for (let o = 0; o < v.data.length; o += 65536) s.write(v.data.subarray(o, o + 65536));
  s.end();
  const r = await p;
  if (r.ocr?.status !== 'ok') throw new Error('no ocr');
  // What the consumer hands to putFull: the Buffer, or a read stream of the file (read here into a null sink).
  if (r.ocr.data === null) await pipeline(createReadStream(r.ocr.jsonlPath!), new Writable({ write: (_c, _e, cb) => cb() }));
  await r.dispose();
}
const res: Record<string, number[]> = { file: [], memory: [] };
for (let round = 0; round < 8; round++) {
  for (const mode of round % 2 ? ['file', 'memory'] : ['memory', 'file']) {
    const c0 = process.cpuUsage();
    for (const v of vols) await one(v, mode === 'file');
    const c = process.cpuUsage(c0);
    if (round > 0) res[mode]!.push((c.user + c.system) / 1000 / vols.length);
  }
}
const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!.toFixed(2);
console.log(`OCR JSONL via temp file: ${med(res.file!)} ms CPU/vol (${res.file!.map((x) => x.toFixed(2)).join(' ')}); in memory: ${med(res.memory!)} (${res.memory!.map((x) => x.toFixed(2)).join(' ')})`);
await rm(dir, { recursive: true, force: true });
