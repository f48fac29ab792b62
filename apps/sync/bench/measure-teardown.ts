// Measurement (not a test): teardown time and sizes on a large catalogue with local storage.
// Run: cd apps/sync && pnpm exec tsx test/teardown/measure-teardown.ts [books]
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { LocalStorage } from '../src/storage/index.js';
import { runTeardown, type TeardownOptions } from '../src/teardown/index.js';
import { makeRun } from '../test/teardown/run-fixtures.js';

const books = Number(process.argv[2] ?? 200_000);
const started = performance.now();
const run = await makeRun({ books });
console.log(`catalogue of ${books} books filled in ${((performance.now() - started) / 1000).toFixed(1)} s, books.db ${((await stat(join(run.runDir, 'books.db'))).size / 1e6).toFixed(1)} MB`);
const storage = new LocalStorage({ basePath: join(run.root, 'storage'), runName: run.runName });

async function time(label: string, options: TeardownOptions): Promise<void> {
  const t0 = performance.now();
  const report = await runTeardown({ catalogue: run.catalogue, storage, runName: run.runName, runDir: run.runDir, options });
  const seconds = (performance.now() - t0) / 1000;
  const sizes = report.items
    .filter((i) => i.bytes !== undefined && (i.name === 'csv_latest' || i.name === 'database_latest'))
    .map((i) => `${i.name} ${((i.bytes ?? 0) / 1e6).toFixed(1)} MB`);
  console.log(`${label.padEnd(34)} ${seconds.toFixed(2)} s  ok=${report.ok}  ${sizes.join(', ')}`);
}

try {
  await time('full (CSV gzip 6, DB gzip 1)', {});
  await time('CSV only, gzip level 6', { skipDatabaseBackup: true });
  await time('CSV only, gzip level 1', { skipDatabaseBackup: true, csvGzipLevel: 1 });
  await time('CSV only, uncompressed copy', { skipDatabaseBackup: true, skipCompressionMeta: true });
  await time('database only', { skipCsvExport: true });
  console.log(`books_export.csv ${((await stat(join(run.runDir, 'books_export.csv'))).size / 1e6).toFixed(1)} MB`);
} finally {
  await run.cleanup();
}
