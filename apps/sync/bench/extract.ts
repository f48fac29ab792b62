/**
 * Extraction throughput on a generated GRIN-like volume (~200 MB tar.gz: METS + 1,000 pages of
 * text, hOCR and incompressible images), in MB/s of the decrypted .tar.gz stream:
 *   (a) bare gunzip + tar-stream drain — the limit: what any streamed reader must pay;
 *   (b) extractVolume with MARC + OCR on;
 *   (c) unpackArchive to disk (for reference: what the earlier tool's "unpack all" costs).
 * Prints each figure and (b)/(a), (c)/(a): medians over alternating runs, and best-run ratio.
 *
 *   pnpm --filter @grin/sync bench:extract [--mb 200] [--runs 9] [--pages 1000]
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import * as tar from 'tar-stream';
import { extractVolume, unpackArchive } from '../src/extract/index.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: { mb: { type: 'string', default: '200' }, runs: { type: 'string', default: '9' }, pages: { type: 'string', default: '1000' } },
});
const targetBytes = Number(values.mb) * 1e6;
const runs = Number(values.runs);
const pages = Number(values.pages);

const dir = await mkdtemp(join(tmpdir(), 'grin-bench-extract-'));
try {
  const archivePath = join(dir, 'BENCH0001.tar.gz');
  const started = performance.now();
  await generateArchive(archivePath, pages, targetBytes);
  const size = (await stat(archivePath)).size;
  console.log(`archive: ${(size / 1e6).toFixed(1)} MB, ${pages} pages, generated in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  await timeIt(() => bareDrain(archivePath)); // warm the page cache
  // Steady state: a real run extracts thousands of volumes, so the JIT has long optimised the
  // per-volume code (the METS parse alone is ~10x slower on its first few calls). Warm both
  // paths up on a small volume first.
  const warmPath = join(dir, 'WARM0001.tar.gz');
  await generateArchive(warmPath, 20, 2e6);
  for (let i = 0; i < 40; i += 1) {
    await bareDrain(warmPath);
    await runExtract(warmPath, dir, 20);
  }
  // (a) and (b) alternate, swapping order every run, so load from other processes and page-cache
  // drift hit both alike; (c) writes ~200 MB and runs last so its writeback cannot slow them.
  const bare: number[] = [];
  const extract: number[] = [];
  const bareCpu: number[] = [];
  const extractCpu: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const pair = [
      async () => bare.push(size / 1e6 / (await timeIt(() => bareDrain(archivePath), bareCpu))),
      async () => extract.push(size / 1e6 / (await timeIt(() => runExtract(archivePath, dir), extractCpu))),
    ];
    if (run % 2 === 1) pair.reverse();
    for (const measure of pair) await measure();
  }
  const unpack: number[] = [];
  for (let run = 0; run < Math.min(runs, 3); run += 1) unpack.push(size / 1e6 / (await timeIt(() => runUnpack(archivePath, dir))));
  const a = median(bare);
  const b = median(extract);
  const c = median(unpack);
  const list = (values: number[]): string => values.map((v) => v.toFixed(0)).join(', ');
  console.log(`(a) bare gunzip+tar-stream drain : ${a.toFixed(1)} MB/s  (runs: ${list(bare)})`);
  console.log(`(b) extractVolume MARC+OCR       : ${b.toFixed(1)} MB/s  (runs: ${list(extract)})`);
  console.log(`(c) unpackArchive to disk        : ${c.toFixed(1)} MB/s  (runs: ${list(unpack)})`);
  // Best runs are the least disturbed by other processes on a shared machine; CPU time (all
  // threads, zlib's pool included) is the least sensitive to that load.
  const best = Math.max(...extract) / Math.max(...bare);
  console.log(`ratio (b)/(a) = ${(b / a).toFixed(3)} (medians), ${best.toFixed(3)} (best runs)   ratio (c)/(a) = ${(c / a).toFixed(3)}`);
  console.log(
    `CPU seconds per run: (a) ${median(bareCpu).toFixed(3)}  (b) ${median(extractCpu).toFixed(3)}  ` +
      `-> CPU-bound throughput ratio (a)/(b) = ${(median(bareCpu) / median(extractCpu)).toFixed(3)}`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}

async function generateArchive(path: string, pages: number, targetBytes: number): Promise<void> {
  const pack = tar.pack();
  const written = pipeline(pack, createGzip({ level: 1 }), createWriteStream(path));
  const add = (name: string, content: Buffer): Promise<void> =>
    new Promise((resolve, reject) => pack.entry({ name, size: content.length }, content, (error) => (error ? reject(error) : resolve())));
  await add('BENCH0001.xml', Buffer.from(metsDocument(pages)));
  const text = (page: number): Buffer => Buffer.from(`Page ${page}. ` + 'Lorem ipsum dolor sit amet, consectetur adipiscing elit — ünïcödé. '.repeat(30));
  const hocr = (page: number): Buffer => Buffer.from(`<html><body><div class="ocr_page" id="page_${page}">` + '<span class="ocrx_word">word</span>'.repeat(150) + '</div></body></html>');
  const imageSize = Math.max(1024, Math.floor(targetBytes / pages) - 2000 - 5500);
  for (let page = 1; page <= pages; page += 1) {
    const name = String(page).padStart(8, '0');
    await add(`${name}.txt`, text(page));
    await add(`${name}.html`, hocr(page));
    await add(`${name}.jp2`, randomBytes(imageSize));
  }
  pack.finalize();
  await written;
}

function metsDocument(pages: number): string {
  const files = Array.from({ length: pages }, (_, i) => `<mets:file ID="IMG${i + 1}"><mets:FLocat xlink:href="${String(i + 1).padStart(8, '0')}.jp2"/></mets:file>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<mets:mets xmlns:mets="http://www.loc.gov/METS/" xmlns:xlink="http://www.w3.org/1999/xlink">
<mets:dmdSec ID="DMD1"><mets:mdWrap MDTYPE="MARC"><mets:xmlData>
<slim:record xmlns:slim="http://www.loc.gov/MARC21/slim">
<slim:leader>00000nam a2200000 a 4500</slim:leader>
<slim:controlfield tag="001">bench001</slim:controlfield>
<slim:controlfield tag="008">750727s1999    gw br p       0   a0ger d</slim:controlfield>
<slim:datafield tag="245" ind1="1" ind2="0"><slim:subfield code="a">Benchmark title.</slim:subfield></slim:datafield>
<slim:datafield tag="035" ind1=" " ind2=" "><slim:subfield code="a">(OCoLC)1</slim:subfield></slim:datafield>
</slim:record></mets:xmlData></mets:mdWrap></mets:dmdSec>
<mets:fileSec><mets:fileGrp USE="image">${files}</mets:fileGrp></mets:fileSec>
</mets:mets>`;
}

async function bareDrain(path: string): Promise<void> {
  const extract = tar.extract();
  const done = (async () => {
    for await (const entry of extract) entry.resume();
  })();
  await pipeline(createReadStream(path), createGunzip({ chunkSize: 64 * 1024 }), extract as unknown as NodeJS.WritableStream);
  await done;
}

async function runExtract(path: string, tempDir: string, expectedPages = pages): Promise<void> {
  const result = await extractVolume(createReadStream(path), { barcode: 'BENCH0001', marc: true, ocr: true, tempDir });
  if (result.marc?.status !== 'ok' || result.ocr?.status !== 'ok' || result.ocr.pageCount !== expectedPages) {
    throw new Error(`unexpected extraction result: ${JSON.stringify({ marc: result.marc?.status, ocr: result.ocr })}`);
  }
  await result.dispose();
}

async function runUnpack(path: string, tempDir: string): Promise<void> {
  const dest = join(tempDir, 'unpacked');
  await unpackArchive(createReadStream(path), dest);
  await rm(dest, { recursive: true, force: true });
}

/** Wall seconds of `work`; its CPU seconds (process-wide) are appended to `cpu` if given. */
async function timeIt(work: () => Promise<void>, cpu?: number[]): Promise<number> {
  // Start every run from a collected heap so one run's garbage is not billed to the next.
  (globalThis as { gc?: () => void }).gc?.();
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  await work();
  const used = process.cpuUsage(cpuStart);
  cpu?.push((used.user + used.system) / 1e6);
  return (performance.now() - start) / 1000;
}

function median(list: number[]): number {
  const sorted = [...list].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)]!;
}
