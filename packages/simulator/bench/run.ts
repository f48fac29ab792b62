import { benchArchive } from './archiveBench.js';
import { benchListing } from './listingBench.js';

// Usage: pnpm --filter @grin/simulator bench [-- --pages N --archive-mb M]
const args = process.argv.slice(2).filter((a) => a !== '--');
const arg = (name: string, fallback: number): number => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const TARGET_ROWS_PER_SECOND = 300_000;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

const listing = await benchListing(arg('pages', 20));
console.log(`listing page generation (10,000-row pages, ${fmt(listing.pageBytes)} bytes each):`);
console.log(`  in-process (rendered + UTF-8 encoded): ${fmt(listing.generationRowsPerSecond)} rows/s wall, ${fmt(listing.generationRowsPerCpuSecond)} rows/CPU-s (target ${fmt(TARGET_ROWS_PER_SECOND)}: ratio ${(listing.generationRowsPerCpuSecond / TARGET_ROWS_PER_SECOND).toFixed(2)})`);
console.log(`  over HTTP: ${fmt(listing.httpRowsPerSecond)} rows/s wall, ${fmt(listing.httpRowsPerServerCpuSecond)} rows per server CPU-s (target ratio ${(listing.httpRowsPerServerCpuSecond / TARGET_ROWS_PER_SECOND).toFixed(2)})`);
console.log(`  same bytes from a static buffer (transport ceiling): ${fmt(listing.staticRowsPerSecond)} rows/s wall, ${fmt(listing.staticRowsPerServerCpuSecond)} rows per server CPU-s; simulator/ceiling wall ratio ${(listing.httpRowsPerSecond / listing.staticRowsPerSecond).toFixed(2)}`);

const archive = await benchArchive(arg('archive-mb', 300) * 1024 * 1024);
console.log(`archive generation (${fmt(archive.plaintextBytes / 1e6)} MB plaintext, tar -> gzip -> gpg -> cache):`);
console.log(`  ${archive.generationMBps.toFixed(0)} MB/s  vs gpg alone encrypting the same plaintext: ${archive.gpgOnlyMBps.toFixed(0)} MB/s (ratio ${(archive.generationMBps / archive.gpgOnlyMBps).toFixed(2)})`);
