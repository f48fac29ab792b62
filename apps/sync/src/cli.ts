#!/usr/bin/env tsx
/**
 * `pnpm run sync -- --run-name NAME (--queue converted | --barcodes B1,B2 | --barcodes-file F) ...`
 * See `--help` (src/cli/help.ts).
 */
import { runCli } from '@grin/run';
import { exitCodeFor } from './cli/exit-codes.js';
import { syncMain } from './cli/sync-main.js';

await runCli(
  () =>
    syncMain({
      argv: process.argv.slice(2),
      env: process.env,
      stdin: process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
    }),
  {
    exitCodeFor,
    // Exit explicitly: an idle keep-alive socket or a forgotten timer must not keep a finished run alive.
    exit: (code) => {
      process.stdout.write('', () => process.exit(code));
    },
  },
);
