/**
 * `pnpm run demo`: the whole tool on a simulated GRIN, in well under a minute.
 *
 * 1. starts the GRIN simulator in this process (a library of 120 books, ~45 converted) and
 *    writes its credentials to a temp directory;
 * 2. runs collect as a child process (`tsx apps/collect/src/cli.ts`; sync never imports collect)
 *    into output/demo/books.db;
 * 3. syncs the converted volumes into output/demo/storage (archives, OCR text, MARC into the
 *    catalogue), whose teardown writes output/demo/books_export.csv and process_summary.json;
 * 4. prints where everything is.
 *
 * output/demo is replaced on every run.
 */
import { existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openCatalogue } from '@grin/books';
import { runCli, runDirectory, userWorkingDirectory } from '@grin/run';
import { startSimulator } from '@grin/simulator';
import { exitCodeFor } from './cli/exit-codes.js';
import { syncMain } from './cli/sync-main.js';

const RUN = 'demo';
const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');
const collectCli = join(repoRoot, 'apps/collect/src/cli.ts');

async function main(): Promise<number> {
  const started = Date.now();
  const userDir = userWorkingDirectory();
  const runDir = runDirectory(RUN);
  const show = (p: string): string => relative(userDir, p) || '.';
  await rm(runDir, { recursive: true, force: true });

  process.stdout.write('Starting the GRIN simulator (120 books)...\n');
  const sim = await startSimulator({ books: 120 });
  const credentialsDir = await mkdtemp(join(tmpdir(), 'grin-demo-creds-'));
  try {
    await sim.writeCredentials(credentialsDir);
    const grinArgs = ['--grin-url', sim.grinBaseUrl, '--library-directory', sim.libraryDirectory, '--credentials-dir', credentialsDir];

    process.stdout.write(`\n== collect: GRIN's listing -> ${show(join(runDir, 'books.db'))}\n`);
    const collectCode = await runChild(process.execPath, [...process.execArgv, collectCli, '--run-name', RUN, ...grinArgs, '--progress', 'plain'], userDir);
    if (collectCode !== 0) {
      process.stdout.write(`collect exited with ${collectCode}; syncing anyway (sync adds catalogue rows for barcodes it has not seen)\n`);
    }

    process.stdout.write(`\n== sync: converted volumes -> ${show(join(runDir, 'storage'))}\n`);
    const syncCode = await runCli(
      () =>
        syncMain({
          argv: [
            '--run-name', RUN, '--queue', 'converted', ...grinArgs,
            '--passphrase-file', join(credentialsDir, 'gpg_passphrase.asc'),
            '--storage', 'local', '--storage-path', join(runDir, 'storage'),
            '--requests-per-second', '200', '--progress', process.stderr.isTTY ? 'tty' : 'plain',
          ],
          env: process.env,
          stdin: process.stdin,
          stdout: process.stdout,
          stderr: process.stderr,
          signals: process,
        }),
      { exitCodeFor, exit: () => {} },
    );

    const csv = join(runDir, 'books_export.csv');
    let synced = 0;
    let example: string | undefined;
    if (existsSync(join(runDir, 'books.db'))) {
      const catalogue = openCatalogue(join(runDir, 'books.db'), { readonly: true });
      try {
        synced = catalogue.countBooks({ synced: true });
        for (const book of catalogue.iterateBooks()) {
          if (book.sync_timestamp !== null) {
            example = book.barcode;
            break;
          }
        }
      } finally {
        catalogue.close();
      }
    }
    if (syncCode !== 0 && synced === 0) {
      process.stdout.write(`\n== demo failed: sync exited with ${syncCode} and synced nothing (the error and hint are above)\n`);
      return syncCode;
    }
    const db = show(join(runDir, 'books.db'));
    const raw = show(join(runDir, 'storage', 'raw'));
    process.stdout.write(
      [
        '',
        syncCode === 0
          ? `== done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${synced} volumes synced`
          : `== demo FAILED (sync exited with ${syncCode}; the error and hint are above): ${synced} volumes synced in ${((Date.now() - started) / 1000).toFixed(1)} s`,
        `  catalogue:          ${db}`,
        `  decrypted archives: ${raw}/BARCODE/BARCODE.tar.gz (+ .meta.json with GRIN's ETag)`,
        `  OCR text:           ${show(join(runDir, 'storage', 'full', RUN))}/BARCODE_ocr.jsonl.gz (one JSON string per page)`,
        `  MARC:               the marc_* columns of the catalogue`,
        `  CSV export:         ${show(csv)} (+ copies and a database backup in ${show(join(runDir, 'storage', 'meta', RUN))})`,
        `  run settings:       ${show(join(runDir, 'run_config.json'))}, ${show(join(runDir, 'process_summary.json'))}`,
        '',
        'Look around:',
        `  sqlite3 ${db} "SELECT barcode, sync_status, encrypted_etag, storage_path FROM books WHERE sync_timestamp IS NOT NULL LIMIT 5"`,
        `  sqlite3 ${db} "SELECT barcode, marc_title, marc_date_1, marc_language FROM books WHERE marc_extraction_timestamp IS NOT NULL LIMIT 5"`,
        `  sqlite3 ${db} "SELECT barcode, status_type, status_value, timestamp FROM book_status_history ORDER BY id DESC LIMIT 10"`,
        ...(example === undefined
          ? []
          : [`  tar tzf ${raw}/${example}/${example}.tar.gz | head`, `  zcat ${show(join(runDir, 'storage', 'full', RUN))}/${example}_ocr.jsonl.gz | head -2`]),
        `  head -3 ${show(csv)}`,
        '  pnpm run sync -- --run-name demo2 --simulate --queue converted --limit 10   # sync on its own, with its own simulator',
        '',
      ].join('\n'),
    );
    return syncCode;
  } finally {
    await sim.close();
    await rm(credentialsDir, { recursive: true, force: true });
  }
}

function runChild(command: string, args: string[], userDir: string): Promise<number> {
  return new Promise((resolveCode) => {
    const child = spawn(command, args, { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, INIT_CWD: userDir } });
    child.on('error', (err) => {
      process.stderr.write(`cannot start collect: ${err.message}\n`);
      resolveCode(1);
    });
    child.on('exit', (code) => resolveCode(code ?? 1));
  });
}

const code = await main();
process.exit(code);
