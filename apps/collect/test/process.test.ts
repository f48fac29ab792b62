import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectInProcess, makeTempDir, readBooks, readCursor, runDir, spawnCollect, waitUntil } from './helpers/run-collect.js';
import { expectedLibrary, listingSettled, pageMark, pagesSince, startTestGrin, type TestGrin } from './helpers/simulated-grin.js';

const BOOKS = 2_000;
const PAGE = 500;

let grin: TestGrin;
let temp: { dir: string; cleanup: () => void };
beforeAll(async () => {
  grin = await startTestGrin({ books: BOOKS });
  temp = makeTempDir();
});
afterAll(async () => {
  await grin.close();
  temp.cleanup();
});

const args = (run: string, ...more: string[]): string[] => [...grin.args, '--run-name', run, '--page-size', String(PAGE), ...more];
const sorted = () => [...expectedLibrary(grin.sim).values()].sort((a, b) => a.barcode.localeCompare(b.barcode));
const noStack = (text: string) => expect(text).not.toMatch(/^\s+at /m);

describe('the real CLI process', () => {
  it('--help exits 0; an unknown option exits 2 with a hint', async () => {
    const help = spawnCollect(['--help'], temp.dir);
    expect((await help.exited).code).toBe(0);
    expect(help.stdout()).toMatch(/Usage: pnpm run collect -- --library-directory DIR/);
    const bad = spawnCollect(['--library-directory', 'X', '--frobnicate'], temp.dir);
    expect((await bad.exited).code).toBe(2);
    expect(bad.stderr()).toMatch(/error: .*frobnicate/);
    expect(bad.stderr()).toMatch(/hint: /);
    noStack(bad.stderr());
  });

  it('a bad library directory exits 3 with a hint and no stack trace, creating nothing', async () => {
    const run = spawnCollect(['--library-directory', 'https://books.google.com/libraries/Harvard', '--run-name', 'baddir'], temp.dir);
    expect((await run.exited).code).toBe(3);
    expect(run.stderr()).toMatch(/error: The GRIN library directory must be a name/);
    expect(run.stderr()).toMatch(/hint: Give only the directory name/);
    noStack(run.stderr());
    expect(existsSync(runDir(temp.dir, 'baddir'))).toBe(false);
  });

  it('missing credentials exit 3 with a hint and no stack trace', async () => {
    const empty = join(temp.dir, 'no-credentials');
    mkdirSync(empty);
    const run = spawnCollect(
      ['--library-directory', 'Simulated', '--grin-url', grin.sim.grinBaseUrl, '--credentials-dir', empty, '--run-name', 'nocred'],
      temp.dir,
    );
    expect((await run.exited).code).toBe(3);
    expect(run.stderr()).toMatch(/error: No GRIN credentials/);
    expect(run.stderr()).toMatch(/hint: Run `pnpm run auth -- setup`/);
    noStack(run.stderr());
  });

  it('a second concurrent run of the same run name is refused with exit 5 and does not corrupt the first', async () => {
    grin.gate.hold();
    const first = collectInProcess(args('locked'), temp.dir);
    await grin.gate.held(); // the first run holds the lock and waits for page 1
    const second = spawnCollect(args('locked'), temp.dir);
    const exit = await second.exited;
    grin.gate.release();
    expect(exit.code).toBe(5);
    expect(second.stderr()).toMatch(/error: the run directory is locked by process \d+/);
    expect(second.stderr()).toMatch(/hint: /);
    noStack(second.stderr());
    expect((await first).code).toBe(0);
    expect(readBooks(join(runDir(temp.dir, 'locked'), 'books.db'))).toEqual(sorted());
  });

  it('Ctrl-C (SIGINT) finishes the page in hand, prints the resume command and exits 130; a rerun resumes', async () => {
    grin.gate.hold();
    const run = spawnCollect(args('sigint'), temp.dir);
    await grin.gate.held(); // page 1 held on the server
    grin.gate.release();
    grin.gate.hold();
    await grin.gate.held(); // page 2 requested: page 1 is being stored
    run.child.kill('SIGINT');
    const exit = await run.exited;
    grin.gate.release();
    expect(exit.code).toBe(130);
    expect(run.stderr()).toContain(
      `Resume with:\n  pnpm run collect -- --library-directory Simulated --run-name sigint --page-size ${PAGE} ` +
        `--grin-url ${grin.sim.grinBaseUrl} --credentials-dir ${grin.credentialsDir}`,
    );
    const db = join(runDir(temp.dir, 'sigint'), 'books.db');
    expect(readCursor(db)?.pageNumber).toBe(1);
    await waitUntil(() => listingSettled(grin.sim));
    const mark = pageMark(grin.sim);
    const resumed = spawnCollect(args('sigint'), temp.dir);
    expect((await resumed.exited).code).toBe(0);
    expect(pagesSince(grin.sim, mark)).toEqual([2, 3, 4]);
    expect(readBooks(db)).toEqual(sorted());
  });

  it('Ctrl-C at a terminal (SIGINT to the whole `pnpm run collect` process group) is one Ctrl-C: clean stop, exit 130', async () => {
    grin.gate.hold();
    const run = spawnCollect(args('group'), temp.dir, {}, { viaPnpm: true });
    await grin.gate.held();
    grin.gate.release();
    grin.gate.hold();
    await grin.gate.held(); // page 2 in flight, page 1 being stored
    process.kill(-(run.child.pid as number), 'SIGINT');
    const exit = await run.exited;
    grin.gate.release();
    // pnpm waits for the command, reports its 130, then ends itself by the same signal.
    expect(exit.code === 130 || exit.signal === 'SIGINT', JSON.stringify(exit)).toBe(true);
    expect(run.stderr()).toMatch(/Command failed with exit code 130|ELIFECYCLE/);
    expect(run.stderr()).toContain('Resume with:');
    expect(run.stderr()).not.toContain('stopping now');
    expect(readCursor(join(runDir(temp.dir, 'group'), 'books.db'))?.pageNumber).toBe(1);
    expect(existsSync(join(runDir(temp.dir, 'group'), 'session.lock'))).toBe(false);
  });

  it('a second Ctrl-C stops at once (exit 130) and leaves a consistent database', async () => {
    grin.gate.hold();
    const run = spawnCollect(args('twice'), temp.dir);
    const db = join(runDir(temp.dir, 'twice'), 'books.db');
    await grin.gate.held();
    grin.gate.release();
    grin.gate.hold();
    await grin.gate.held(); // page 2 in flight, page 1 being stored
    run.child.kill('SIGINT');
    run.child.kill('SIGINT');
    const exit = await run.exited;
    grin.gate.release();
    expect(exit.code).toBe(130);
    expect(run.stderr()).toMatch(/stopping now|Resume with/);
    const cursor = readCursor(db);
    expect(readBooks(db).length).toBe((cursor?.pageNumber ?? 0) * PAGE);
    const resumed = spawnCollect(args('twice'), temp.dir);
    expect((await resumed.exited).code).toBe(0);
    expect(readBooks(db)).toEqual(sorted());
  });

  it('--simulate works with no account, under INIT_CWD, and resumes across simulator restarts', async () => {
    const limited = spawnCollect(['--simulate', '1200', '--page-size', '500', '--limit', '700', '--run-name', 'sim'], temp.dir);
    expect((await limited.exited).code).toBe(0);
    expect(limited.stderr()).toContain('pnpm run collect -- --simulate 1200 --run-name sim --page-size 500');
    const db = join(runDir(temp.dir, 'sim'), 'books.db');
    expect(readBooks(db).length).toBe(700);
    const rest = spawnCollect(['--simulate', '1200', '--page-size', '500', '--run-name', 'sim'], temp.dir);
    expect((await rest.exited).code).toBe(0);
    expect(rest.stdout()).toMatch(/Collected _all_books completely \(1,200 rows/);
    expect(readBooks(db).length).toBe(1200);
    await waitUntil(() => existsSync(join(runDir(temp.dir, 'sim'), 'books_export.csv')), 1000);
  });
});
