import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { grinDateToIso } from '@grin/client';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '@grin/simulator';

/**
 * Holds the simulator's waits (it calls `sleep` before every listing page when pageLatencyMs > 0)
 * while armed, so a test can act while a given page is in flight on the server.
 */
export class SleepGate {
  private armed = false;
  private waiters: (() => void)[] = [];
  private onHeld: (() => void)[] = [];

  readonly sleep = (ms: number): Promise<void> => {
    if (!this.armed) return new Promise((resolve) => setTimeout(resolve, ms));
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      for (const notify of this.onHeld.splice(0)) notify();
    });
  };

  /** Holds every following listing page until release(). */
  hold(): void {
    this.armed = true;
  }

  /** Resolves once at least one request is being held. */
  held(): Promise<void> {
    if (this.waiters.length > 0) return Promise.resolve();
    return new Promise((resolve) => this.onHeld.push(resolve));
  }

  release(): void {
    this.armed = false;
    for (const resolve of this.waiters.splice(0)) resolve();
  }
}

export interface TestGrin {
  sim: RunningSimulator;
  gate: SleepGate;
  credentialsDir: string;
  /** Common CLI arguments pointing at this simulator. */
  args: string[];
  close(): Promise<void>;
}

/** A simulator over real HTTP on 127.0.0.1:0, with credentials in a temp dir. */
export async function startTestGrin(options: SimulatorOptions = {}): Promise<TestGrin> {
  const gate = new SleepGate();
  const sim = await startSimulator({ pageLatencyMs: 1, sleep: gate.sleep, ...options });
  const credentialsDir = mkdtempSync(join(tmpdir(), 'collect-test-cred-'));
  await sim.writeCredentials(credentialsDir);
  return {
    sim,
    gate,
    credentialsDir,
    args: ['--library-directory', sim.libraryDirectory, '--grin-url', sim.grinBaseUrl, '--credentials-dir', credentialsDir],
    async close() {
      gate.release();
      await sim.close();
      rmSync(credentialsDir, { recursive: true, force: true });
    },
  };
}

/** The catalogue columns collect fills, as the simulator's truth says they must be (reference 1.5). */
export interface ExpectedBook {
  barcode: string;
  title: string | null;
  grin_state: string | null;
  scanned_date: string | null;
  analyzed_date: string | null;
  converted_date: string | null;
  downloaded_date: string | null;
  processed_date: string | null;
  ocr_date: string | null;
  google_books_link: string | null;
}

export const COLLECTED_COLUMNS = [
  'barcode', 'title', 'grin_state', 'scanned_date', 'analyzed_date', 'converted_date', 'downloaded_date',
  'processed_date', 'ocr_date', 'google_books_link',
] as const;

export function expectedLibrary(sim: RunningSimulator): Map<string, ExpectedBook> {
  const iso = (d: string | null): string | null => (d === null || d === '' ? null : grinDateToIso(d));
  const out = new Map<string, ExpectedBook>();
  for (const b of sim.library.listing('_all_books')) {
    out.set(b.barcode, {
      barcode: b.barcode,
      title: b.title === '' ? null : b.title,
      grin_state: b.state,
      scanned_date: iso(b.scannedDate),
      analyzed_date: iso(b.analyzedDate),
      converted_date: iso(b.convertedDate),
      downloaded_date: iso(b.downloadedDate),
      processed_date: iso(b.processedDate),
      ocr_date: iso(b.ocrDate),
      google_books_link: b.googleBooksLink === '' ? null : b.googleBooksLink,
    });
  }
  return out;
}

/** A mark in the simulator's record of listing pages served (see pagesSince). */
export function pageMark(sim: RunningSimulator): number {
  return sim.stats().listingPages.length;
}

/** Page numbers of the listing pages requested since `mark` (both cursor styles). */
export function pagesSince(sim: RunningSimulator, mark = 0): number[] {
  return sim.stats().listingPages.slice(mark).map((p) => p.pageNumber);
}

/** True when no listing request is still being answered (a held or aborted one is recorded at its end). */
export function listingSettled(sim: RunningSimulator): boolean {
  return sim.requestLog().every((r) => r.endpoint !== 'listing' || r.status !== 0);
}
