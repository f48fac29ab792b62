import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseFaultSpec } from './parseFaultSpec.js';
import { SimulatorError } from '../errors.js';
import type { FaultRule } from '../faults/faultTypes.js';
import { startSimulator } from '../startSimulator.js';
import type { SimulatorOptions } from '../simulatorTypes.js';

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Aborting stops the server (the bin wires SIGINT/SIGTERM to it). */
  signal: AbortSignal;
  /** Called once the server listens (tests use it to reach the simulator). */
  onReady?: (info: { url: string; credentialsDir: string }) => void;
}

const USAGE = `Usage: grin-simulator [options]

  --books N                 volumes in the library (default 2000; up to 100,000,000)
  --seed S                  library seed (default 1)
  --port P / --host H       listen address (default 127.0.0.1:0 = any free port)
  --library-directory DIR   GRIN library directory (default Simulated)
  --credentials-dir DIR     where to write client_secret.json, credentials.json, gpg_passphrase.asc
                            (default: a fresh directory under the system temp dir)
  --with-access-token       also store a valid access token in credentials.json
  --cache-dir DIR           archive cache, kept across runs (default: temp, removed on exit)
  --next-style first|ctoken           Next link style (default first)
  --next-href absolute-path|relative|absolute-url
  --header-variant short|long
  --archive-bytes N[K|M|G]  approximate archive size (default 48K)
  --legacy-cipher-fraction F  fraction of archives encrypted with CAST5 (default 0)
  --token-lifetime SECONDS  access-token lifetime (default 3600)
  --conversion-delay-ms MS  _process -> converted delay (default 60000)
  --queue-limit N           max books in process (default 50000)
  --cursor-lifetime-ms MS   ctoken expiry (default never)
  --page-latency-ms MS      delay before each listing page (default 0)
  --passphrase-file FILE    GPG passphrase (default 'simulated grin passphrase')
  --fault SPEC              repeatable; JSON FaultRule or endpoint:kind[:key=value,...]
                            e.g. listing:status-503:times=2,retryAfterSeconds=1
  --help
`;

/** The standalone simulator; resolves with the exit code once stopped through `io.signal`. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let options: SimulatorOptions;
  let credentialsDir: string | undefined;
  let withAccessToken = false;
  try {
    const { values } = parseArgs({
      args: argv[0] === '--' ? argv.slice(1) : [...argv],
      strict: true,
      options: {
        books: { type: 'string' }, seed: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' },
        'library-directory': { type: 'string' }, 'credentials-dir': { type: 'string' }, 'with-access-token': { type: 'boolean' },
        'cache-dir': { type: 'string' }, 'next-style': { type: 'string' }, 'next-href': { type: 'string' },
        'header-variant': { type: 'string' }, 'archive-bytes': { type: 'string' }, 'legacy-cipher-fraction': { type: 'string' },
        'token-lifetime': { type: 'string' }, 'conversion-delay-ms': { type: 'string' }, 'queue-limit': { type: 'string' },
        'cursor-lifetime-ms': { type: 'string' }, 'page-latency-ms': { type: 'string' }, 'passphrase-file': { type: 'string' },
        fault: { type: 'string', multiple: true }, help: { type: 'boolean' },
      },
    });
    if (values.help) {
      io.stdout.write(USAGE);
      return 0;
    }
    const num = (name: string, value: string | undefined): number | undefined => {
      if (value === undefined) return undefined;
      const n = Number(value.replace(/_/g, ''));
      if (!Number.isFinite(n)) throw new SimulatorError('INVALID_OPTION', `--${name} expects a number, got ${value}`);
      return n;
    };
    options = {};
    const set = <K extends keyof SimulatorOptions>(key: K, value: SimulatorOptions[K] | undefined): void => {
      if (value !== undefined) options[key] = value;
    };
    set('books', num('books', values.books));
    set('seed', num('seed', values.seed));
    set('port', num('port', values.port));
    set('host', values.host);
    set('libraryDirectory', values['library-directory']);
    set('cacheDir', values['cache-dir'] === undefined ? undefined : resolve(values['cache-dir']));
    set('nextLinkStyle', values['next-style'] as SimulatorOptions['nextLinkStyle']);
    set('nextLinkHref', values['next-href'] as SimulatorOptions['nextLinkHref']);
    set('headerVariant', values['header-variant'] as SimulatorOptions['headerVariant']);
    set('archiveBytes', values['archive-bytes'] === undefined ? undefined : parseBytes(values['archive-bytes']));
    set('legacyCipherFraction', num('legacy-cipher-fraction', values['legacy-cipher-fraction']));
    set('tokenLifetimeSeconds', num('token-lifetime', values['token-lifetime']));
    set('conversionDelayMs', num('conversion-delay-ms', values['conversion-delay-ms']));
    set('queueLimit', num('queue-limit', values['queue-limit']));
    set('cursorLifetimeMs', num('cursor-lifetime-ms', values['cursor-lifetime-ms']));
    set('pageLatencyMs', num('page-latency-ms', values['page-latency-ms']));
    if (values['passphrase-file'] !== undefined) options.passphrase = (await readFile(values['passphrase-file'], 'utf8')).split(/\r?\n/)[0] ?? '';
    const faults: FaultRule[] = (values.fault ?? []).map(parseFaultSpec);
    if (faults.length > 0) options.faults = faults;
    credentialsDir = values['credentials-dir'] === undefined ? undefined : resolve(values['credentials-dir']);
    withAccessToken = values['with-access-token'] ?? false;
  } catch (err) {
    io.stderr.write(`grin-simulator: ${(err as Error).message}\n${(err as SimulatorError).hint ? `hint: ${(err as SimulatorError).hint}\n` : ''}Run with --help for usage.\n`);
    return 2;
  }

  if (io.signal.aborted) return 0;
  let sim;
  // A credentials dir we made up is removed on exit; a given one is left for the user.
  const ownsCredentials = credentialsDir === undefined;
  try {
    sim = await startSimulator(options);
    credentialsDir ??= await mkdtemp(join(tmpdir(), 'grin-sim-credentials-'));
    await sim.writeCredentials(credentialsDir, { withAccessToken });
  } catch (err) {
    await sim?.close();
    const e = err as SimulatorError;
    io.stderr.write(`grin-simulator: ${e.message}\n${e.hint ? `hint: ${e.hint}\n` : ''}`);
    return e.code === 'INVALID_OPTION' ? 2 : 1;
  }
  const size = sim.library.size.toLocaleString('en-US');
  io.stdout.write(
    `GRIN simulator listening on ${sim.url}\n` +
      `  library directory: ${sim.libraryDirectory} (${size} volumes, seed ${sim.library.seed})\n` +
      `  GRIN base URL:     ${sim.grinBaseUrl}\n` +
      `  credentials:       ${credentialsDir} (client_secret.json, credentials.json, gpg_passphrase.asc)` +
      `${ownsCredentials ? ', removed on exit' : ''}\n` +
      `  archive cache:     ${sim.cacheDir}${options.cacheDir === undefined ? ' (removed on exit)' : ''}\n\n` +
      `Point the apps at it:\n` +
      `  pnpm run collect -- --library-directory ${sim.libraryDirectory} --grin-url ${sim.grinBaseUrl} --credentials-dir ${credentialsDir}\n` +
      `  pnpm run sync -- --library-directory ${sim.libraryDirectory} --grin-url ${sim.grinBaseUrl} --credentials-dir ${credentialsDir} ...\n` +
      `  (or: export GRIN_CREDENTIALS_DIR=${credentialsDir})\n` +
      `Press Ctrl+C to stop.\n`,
  );
  io.onReady?.({ url: sim.url, credentialsDir });
  await new Promise<void>((done) => {
    if (io.signal.aborted) done();
    else io.signal.addEventListener('abort', () => done(), { once: true });
  });
  io.stdout.write('Stopping the simulator...\n');
  await sim.close();
  if (ownsCredentials) await rm(credentialsDir, { recursive: true, force: true });
  return 0;
}

function parseBytes(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([KMG]i?B?)?$/i.exec(value.trim());
  if (!m) throw new SimulatorError('INVALID_OPTION', `--archive-bytes expects a size like 300M, got ${value}`);
  const unit = (m[2] ?? '').charAt(0).toUpperCase();
  const factor = unit === 'K' ? 1024 : unit === 'M' ? 1024 ** 2 : unit === 'G' ? 1024 ** 3 : 1;
  return Math.round(Number(m[1]) * factor);
}
