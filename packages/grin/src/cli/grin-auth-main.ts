import { parseArgs } from 'node:util';
import { resolveCredentialsDir, SETUP_COMMAND } from '../auth/credential-files.js';
import { runAuthSetup, type AuthSetupOptions } from '../auth/setup-flow.js';
import { GrinError } from '../errors.js';

export interface CliIo {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  stdin?: NodeJS.ReadableStream;
  env?: Record<string, string | undefined>;
  openBrowser?: AuthSetupOptions['openBrowser'];
  signal?: AbortSignal;
}

const USAGE = `Usage: grin-auth setup [--no-browser] [--credentials-dir DIR] [--timeout SECONDS]

  setup            authorise GRIN access with your Google account (OAuth2, Desktop client)
  --no-browser     do not open a browser; paste the redirected URL (for remote servers)
  --credentials-dir DIR
                   where client_secret.json is read and credentials.json written
                   (default: $GRIN_CREDENTIALS_DIR, else ~/.config/grin)
  --timeout S      how long to wait for the authorisation (default 300)`;

/** Runs the grin-auth CLI; returns the exit code. */
export async function grinAuthMain(argv: string[], io: CliIo): Promise<number> {
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        'no-browser': { type: 'boolean', default: false },
        'credentials-dir': { type: 'string' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    io.stderr(`grin-auth: ${(error as Error).message}`);
    io.stderr(USAGE);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(USAGE);
    return 0;
  }
  if (positionals[0] !== 'setup' || positionals.length > 1) {
    io.stderr(positionals.length === 0 ? 'grin-auth: missing command' : `grin-auth: unknown command ${positionals.join(' ')}`);
    io.stderr(USAGE);
    return 2;
  }
  const timeoutSeconds = values.timeout === undefined ? 300 : Number(values.timeout);
  if (!(timeoutSeconds > 0)) {
    io.stderr('grin-auth: --timeout must be a positive number of seconds');
    return 2;
  }
  const credentialsDir = resolveCredentialsDir(values['credentials-dir'], io.env ?? process.env);
  try {
    await runAuthSetup({
      credentialsDir,
      mode: values['no-browser'] ? 'paste' : 'loopback',
      print: io.stdout,
      timeoutMs: timeoutSeconds * 1000,
      ...(io.stdin ? { input: io.stdin } : {}),
      ...(io.openBrowser ? { openBrowser: io.openBrowser } : {}),
      ...(io.signal ? { signal: io.signal } : {}),
    });
    return 0;
  } catch (error) {
    if (error instanceof GrinError) {
      io.stderr(`grin-auth: ${error.message}`);
      if (error.hint !== '') io.stderr(`hint: ${error.hint}`);
      return 1;
    }
    if (io.signal?.aborted) {
      io.stderr('grin-auth: interrupted');
      return 130;
    }
    io.stderr(`grin-auth: unexpected error: ${(error as Error).message ?? String(error)}`);
    io.stderr(`(re-run \`${SETUP_COMMAND}\`; if it persists, report this)`);
    return 1;
  }
}
