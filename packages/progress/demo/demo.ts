/**
 * A simulated sync job (~15 s real time) to show the progress display:
 * 4 download workers, archive sizes that vary, bytes streaming, queue
 * depths, log lines, and a 4 s stall in the middle (a server that stops
 * answering). The renderer is the one the reporter picks: tty on a
 * terminal, plain when piped or in CI, or whatever GRIN_PROGRESS says
 * (tty | plain | json | off). Ctrl-C finishes with status "interrupted".
 *
 *   pnpm --filter @grin/progress demo
 *   GRIN_PROGRESS=plain pnpm --filter @grin/progress demo | cat
 *   GRIN_PROGRESS=json pnpm --filter @grin/progress demo 2>&1 | head
 */
import { createReporter } from '../src/index.js';

const BOOKS = 240;
const WORKERS = 4;
const STEP_MS = 50;
const STALL = { from: 6_000, to: 10_000 };

/** Deterministic pseudo-random numbers so every run looks the same. */
let seed = 42;
function random(): number {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
}

const sizes = Array.from({ length: BOOKS }, () => Math.round(40 * 1024 ** 2 * Math.exp(0.8 * (random() + random() + random() - 1.5))));
const reporter = createReporter({
  operation: 'Syncing (demo)',
  unit: 'book',
  total: BOOKS + 60,
  initialCompleted: 60,
  bytesTotal: sizes.reduce((a, b) => a + b, 0),
  intervalMs: 1_000,
  // The demo's stall lasts 4 s; real jobs keep the 10 s default.
  minStallSeconds: 2,
});

let next = 0;
let done = 0;
const workers: Array<{ barcode: string; left: number } | null> = Array.from({ length: WORKERS }, () => null);
const barcode = (i: number) => `3204401${String(1_000_000 + i * 7919).padStart(7, '0')}`;
const started = Date.now();
let stallLogged = false;
let resumedLogged = false;

reporter.log(`demo: ${BOOKS} books to sync (60 already done in an earlier run), ${WORKERS} download workers`);

const timer = setInterval(() => {
  const elapsed = Date.now() - started;
  const stalled = elapsed >= STALL.from && elapsed < STALL.to;
  if (stalled && !stallLogged) {
    stallLogged = true;
    reporter.log('warning: GRIN stopped answering; waiting for it to come back (simulated stall)');
  }
  if (!stalled && stallLogged && !resumedLogged) {
    resumedLogged = true;
    reporter.log('GRIN is answering again; resuming downloads');
  }
  for (let w = 0; w < WORKERS; w++) {
    let job = workers[w] ?? null;
    if (job === null && next < BOOKS) {
      job = { barcode: barcode(next), left: sizes[next] ?? 0 };
      next++;
      workers[w] = job;
    }
    if (job === null || stalled) continue;
    // Each worker streams ~225 MiB/s of simulated archive.
    const chunk = Math.min(job.left, Math.round(225 * 1024 ** 2 * (STEP_MS / 1000) * (0.6 + 0.8 * random())));
    job.left -= chunk;
    reporter.addBytes(chunk);
    if (job.left <= 0) {
      reporter.tick();
      done++;
      reporter.setExtra('last', job.barcode);
      if (done % 80 === 0) reporter.log(`synced ${done} books so far; latest ${job.barcode}`);
      workers[w] = null;
    }
  }
  const active = workers.filter((j) => j !== null).length;
  reporter.setQueue({
    downloadsActive: stalled ? 0 : active,
    downloadLimit: WORKERS,
    processing: stalled ? 0 : Math.min(2, done),
    waitingToDownload: BOOKS - next,
    waitingToProcess: stalled ? active : 0,
  });
  if (done === BOOKS) {
    clearInterval(timer);
    reporter.finish();
    console.error('\nTry: GRIN_PROGRESS=plain|json|tty|off pnpm run progress-demo');
  }
}, STEP_MS);

process.on('SIGINT', () => {
  clearInterval(timer);
  reporter.finish({ status: 'interrupted', message: 'stopped with Ctrl-C' });
  process.exit(130);
});
