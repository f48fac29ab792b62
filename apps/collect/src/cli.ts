import { runCli } from '@grin/run';
import { parseCollectArgs } from './cli-options.js';
import { runCollect } from './collect-command.js';
import { collectExitCodeFor } from './exit-codes.js';

// `pnpm run collect -- ARGS` runs this file with tsx; pnpm passes the `--` through and sets
// INIT_CWD to the directory the user typed the command in (paths are resolved against it).
await runCli(() => runCollect(parseCollectArgs(process.argv.slice(2), process.env)), {
  exitCodeFor: collectExitCodeFor,
});
