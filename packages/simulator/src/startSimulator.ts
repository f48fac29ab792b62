import { createHash, createHmac } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArchiveStore } from './archive/archiveStore.js';
import { killGpgAgent } from './archive/gpgEncrypt.js';
import { TokenAuthority } from './auth/tokenAuthority.js';
import { writeCredentialFiles } from './credentials.js';
import { SimulatorError } from './errors.js';
import { FaultEngine } from './faults/faultEngine.js';
import { createRequestHandler } from './http/requestHandler.js';
import { RequestRecorder } from './http/requestRecorder.js';
import { Library } from './library/library.js';
import { CursorCodec } from './listing/cursorCodec.js';
import { resolveOptions } from './resolveOptions.js';
import type { RunningSimulator, SimulatorOptions } from './simulatorTypes.js';

/**
 * Starts a GRIN-compatible HTTP server over a synthetic library (deterministic from the seed),
 * in-process, on `port` (default 0 = any free port) of `host` (default 127.0.0.1).
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const o = resolveOptions(options);
  const library = new Library({ size: o.books, seed: o.seed, clock: o.clock, conversionDelayMs: o.conversionDelayMs });
  // Secrets derive from the seed so tokens, cursors and credentials survive a restart.
  const secret = createHash('sha256').update(`grin-simulator:${o.seed}`).digest();
  const derive = (label: string): Buffer => createHmac('sha256', secret).update(label).digest();
  const authority = new TokenAuthority(derive('auth'), o.clock, o.tokenLifetimeSeconds);
  const codec = new CursorCodec(derive('cursor'), o.clock, o.cursorLifetimeMs);
  const recorder = new RequestRecorder();
  const faults = new FaultEngine(library.key, o.faults);

  const ownsCache = o.cacheDir === undefined;
  const cacheDir = o.cacheDir ?? (await mkdtemp(join(tmpdir(), 'grin-sim-cache-')));
  await mkdir(cacheDir, { recursive: true });
  const gpgHome = await mkdtemp(join(tmpdir(), 'grin-sim-gpg-'));
  const archives = new ArchiveStore({
    cacheDir,
    gpgHome,
    passphrase: o.passphrase,
    key: library.key,
    archiveBytes: o.archiveBytes,
    legacyCipherFraction: o.legacyCipherFraction,
    concurrency: o.archiveConcurrency,
    onGenerated: () => recorder.count('archivesGenerated'),
  });
  library.setArchiveProvider((book) => archives.get(book));

  let origin = '';
  const server = createServer(
    createRequestHandler({
      library,
      archives,
      authority,
      faults,
      recorder,
      codec,
      listing: {
        libraryDirectory: o.libraryDirectory,
        headerVariant: o.headerVariant,
        nextLinkStyle: o.nextLinkStyle,
        nextLinkHref: o.nextLinkHref,
        origin: () => origin,
      },
      queueLimit: o.queueLimit,
      pageLatencyMs: o.pageLatencyMs,
      unauthorizedStyle: o.unauthorizedStyle,
      sleep: o.sleep,
    }),
  );
  server.keepAliveTimeout = 30_000;
  const cleanupDirs = async (): Promise<void> => {
    await killGpgAgent(gpgHome);
    await rm(gpgHome, { recursive: true, force: true });
    if (ownsCache) await rm(cacheDir, { recursive: true, force: true });
  };
  try {
    await listen(server, o.port, o.host);
  } catch (err) {
    await cleanupDirs();
    throw new SimulatorError('LISTEN_FAILED', `cannot listen on ${o.host}:${o.port}: ${(err as Error).message}`, {
      hint: 'choose another --port (0 picks a free one)',
      cause: err,
    });
  }
  const address = server.address() as AddressInfo;
  origin = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  const authUrl = `${origin}/o/oauth2/auth`;
  const tokenUrl = `${origin}/token`;

  let closing: Promise<void> | undefined;
  return {
    url: origin,
    grinBaseUrl: `${origin}/libraries/`,
    libraryDirectory: o.libraryDirectory,
    authUrl,
    tokenUrl,
    clientId: authority.clientId,
    clientSecret: authority.clientSecret,
    refreshToken: authority.refreshToken,
    passphrase: o.passphrase,
    cacheDir,
    library,
    writeCredentials: (dir, opts) => writeCredentialFiles(dir, { authority, authUrl, tokenUrl, passphrase: o.passphrase }, opts),
    setFaults: (rules) => faults.setRules(rules),
    stats: () => recorder.stats(),
    requestLog: () => recorder.entries(),
    issueAccessToken: () => authority.issueAccessToken(),
    replaceArchive: async (barcode) => {
      const book = library.byBarcode(barcode);
      if (!book) throw new SimulatorError('UNKNOWN_BARCODE', `no book with barcode ${barcode}`);
      await archives.replace(book);
    },
    close: () => {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await archives.close();
        await closed;
        await cleanupDirs();
      })();
      return closing;
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
