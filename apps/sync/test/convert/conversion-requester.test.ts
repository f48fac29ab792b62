import { describe, expect, it } from 'vitest';
import {
  CatalogueQueueSource,
  ConversionError,
  ConversionRequester,
  formatQueueState,
  loadConversionState,
  type ConversionRequesterOptions,
} from '../../src/convert/index.js';
import { conversionHistory, runQueue, truth, worldsClosedAfterEach, type ConvertWorld } from './convert-world.js';

const world = worldsClosedAfterEach();

async function setup(w: ConvertWorld, extra: Partial<ConversionRequesterOptions> = {}) {
  const writer = w.catalogue.createStatusWriter();
  const state = await loadConversionState(w.client);
  const requester = new ConversionRequester({
    client: w.client,
    events: writer,
    state,
    lingerMs: 5,
    requestedBefore: (b) => Boolean(w.catalogue.getBook(b)?.processing_request_timestamp),
    ...extra,
  });
  return { writer, state, requester };
}

function previousSource(w: ConvertWorld, requester: ConversionRequester): CatalogueQueueSource {
  return new CatalogueQueueSource({ catalogue: w.catalogue, queue: 'previous', requester });
}

/** Every barcode sent to _process, flattened; duplicates kept. */
function sentBarcodes(w: ConvertWorld): string[] {
  return w.processCalls().flat();
}

describe('ConversionRequester on the simulator', () => {
  it('requests each unavailable volume once, records it, and stops at the queue limit', async () => {
    const w = await world({ queueRoom: 5 });
    // This run knows GRIN's limit (50,000 for real GRIN; small here).
    const { writer, requester } = await setup(w, { queueLimit: w.baseInProcess + 5 });
    expect(formatQueueState(requester.queueState())).toBe(`GRIN queue: ${w.baseInProcess} in process, 5 of ${w.baseInProcess + 5} available`);

    const run = await runQueue(w, previousSource(w, requester), requester);
    writer.flush();
    expect(run.unavailable.length).toBeGreaterThan(20);
    expect(run.available).toEqual([]);

    const sent = sentBarcodes(w);
    expect(new Set(sent).size).toBe(sent.length); // never twice
    expect(sent).toHaveLength(5); // never more than the room left in GRIN's queue
    expect(w.sim.stats().conversionsRequested).toBe(5);
    expect(w.sim.stats().endpointStatuses['process']).toEqual({ '200': w.processCalls().length });

    const counts = requester.counts();
    expect(counts.requested).toBe(5);
    expect(counts.limit_reached).toBe(run.unavailable.length - 5);
    expect(counts.failed).toBe(0);
    expect(requester.accepting).toBe(false);
    expect(requester.queueState()).toMatchObject({ available: 0, requestedThisRun: 5, full: 'cap' });
    expect(counts.conversion_failed).toBeGreaterThan(0); // left out by the selection (on _failed)
    expect(requester.sessionCounts()).toEqual({
      'conversion:requested': 5,
      'conversion:limit_reached': counts.limit_reached,
      'conversion:conversion_failed': counts.conversion_failed,
    });

    for (const barcode of run.unavailable) {
      const book = w.catalogue.getBook(barcode)!;
      const history = w.catalogue.getStatusHistory(barcode, 'conversion');
      expect(history).toHaveLength(1);
      if (sent.includes(barcode)) {
        expect(w.sim.library.currentState(barcode).state).toBe('IN_PROCESS');
        expect(history[0]).toMatchObject({ statusValue: 'requested', metadata: { reason: 'success_conversion_requested', grin_response: 'Success' } });
        expect(book.processing_request_timestamp).toBe(history[0]?.timestamp);
      } else {
        expect(history[0]).toMatchObject({ statusValue: 'limit_reached', metadata: { reason: 'queue_cap_reached' } });
        expect(book.processing_request_timestamp).toBeNull();
      }
    }
    writer.close();
  });

  it('on 429 stops requesting for the rest of the run, defers the rest, and the queue goes on', async () => {
    // GRIN's queue fills up although our count says there is room (others queue books too).
    const w = await world({ queueRoom: 3 });
    const { writer, requester } = await setup(w, { batchSize: 1 });
    const run = await runQueue(w, previousSource(w, requester), requester);
    writer.flush();

    const calls = w.processCalls();
    expect(calls).toHaveLength(4); // three accepted, the fourth answered 429, then none
    expect(w.sim.stats().endpointStatuses['process']).toEqual({ '200': 3, '429': 1 });
    // Every selected volume was still checked: the queue kept going after the 429.
    expect(run.selected.length).toBe(run.unavailable.length + run.available.length);
    expect(run.unavailable.length).toBeGreaterThan(10);

    const counts = requester.counts();
    expect(counts).toMatchObject({ requested: 3, limit_reached: run.unavailable.length - 3, failed: 0 });
    expect(requester.queueState().full).toBe('grin');
    const refused = calls[3]![0]!;
    expect(w.catalogue.getStatusHistory(refused, 'conversion')[0]).toMatchObject({
      statusValue: 'limit_reached',
      metadata: { reason: 'grin_queue_full' },
    });
    const later = run.unavailable.filter((b) => !calls.flat().includes(b));
    expect(later.length).toBeGreaterThan(5);
    for (const b of later) {
      expect(w.catalogue.getStatusHistory(b, 'conversion').map((h) => [h.statusValue, h.metadata?.['reason']])).toEqual([
        ['limit_reached', 'queue_full_earlier_in_run'],
      ]);
      expect(w.catalogue.getBook(b)?.processing_request_timestamp).toBeNull();
    }

    // Deferred volumes are selected again by the next run.
    const next = await setup(w, { queueLimit: 1_000_000 });
    const again: string[] = [];
    for await (const b of previousSource(w, next.requester)) again.push(b);
    for (const b of later) expect(again).toContain(b);
    await next.requester.drain();
    writer.close();
    next.writer.close();
  });

  it('classifies GRIN answers per reference 1.8', async () => {
    const w = await world();
    const { writer, state, requester } = await setup(w, {
      // An empty _in_process so the in-process book is asked about too.
      state: { inProcess: new Set(), failed: new Map(), failedListError: null },
      force: true,
    });
    const pick = (predicate: Parameters<typeof truth>[1]) => truth(w.sim, predicate)[0]!.barcode;
    const converted = pick((b) => b.state === 'CONVERTED');
    const inProcess = pick((b) => b.state === 'IN_PROCESS');
    const notAvailable = pick((b) => b.state === 'NOT_AVAILABLE_FOR_DOWNLOAD');
    const convertible = pick((b) => b.state === 'NEW' && b.conversionFailure === null);
    expect(state.inProcess.has(inProcess)).toBe(true);

    const records = await Promise.all([converted, inProcess, notAvailable, convertible].map((b) => requester.request(b)));
    await requester.drain();
    writer.flush();
    expect(records.map((r) => [r.kind, r.status, r.reason, r.grinResponse])).toEqual([
      ['already_available', 'skipped', 'skip_already_available', 'Already available for download'],
      ['already_in_process', 'in_process', 'skip_already_in_process', 'Book is already in process for conversion'],
      ['unavailable', 'unavailable', 'skip_verified_unavailable', 'Book not available for conversion'],
      ['requested', 'requested', 'success_conversion_requested', 'Success'],
    ]);
    expect(w.processCalls()).toEqual([[converted, inProcess, notAvailable, convertible]]); // one batched call
    expect(conversionHistory(w.catalogue, notAvailable)).toEqual(['unavailable']);
    expect(conversionHistory(w.catalogue, converted)).toEqual(['skipped']);
    expect(w.catalogue.getBook(converted)?.processing_request_timestamp).toBeNull();
    writer.close();
  });

  it('does not request failed conversions again without force, and does with force', async () => {
    const w = await world();
    const failed = truth(w.sim, (b) => b.conversionFailure !== null && b.state === 'PREVIOUSLY_DOWNLOADED').map((b) => b.barcode);
    expect(failed.length).toBeGreaterThan(1);

    const plain = await setup(w);
    const records = await Promise.all(failed.map((b) => plain.requester.request(b)));
    await plain.requester.drain();
    plain.writer.flush();
    expect(records.every((r) => r.kind === 'conversion_failed')).toBe(true);
    expect(w.processCalls()).toEqual([]);
    for (const b of failed) expect(conversionHistory(w.catalogue, b)).toEqual(['conversion_failed']);

    const forced = await setup(w, { force: true });
    const run = await runQueue(w, previousSource(w, forced.requester), forced.requester);
    forced.writer.flush();
    for (const b of failed) expect(run.unavailable).toContain(b);
    for (const b of failed) expect(sentBarcodes(w)).toContain(b);
    for (const b of failed) expect(conversionHistory(w.catalogue, b)).toEqual(['conversion_failed', 'unavailable']);
    expect(forced.requester.counts().unavailable).toBe(failed.length);
    plain.writer.close();
    forced.writer.close();
  });

  it('a second run does not request again what an earlier run requested (unless force)', async () => {
    const w = await world();
    const first = await setup(w);
    const run1 = await runQueue(w, previousSource(w, first.requester), first.requester);
    first.writer.close();
    const requestedFirst = sentBarcodes(w);
    expect(requestedFirst.sort()).toEqual([...run1.unavailable].sort());
    expect(first.requester.counts().requested).toBe(run1.unavailable.length);

    w.advance(24 * 3_600_000); // GRIN converted them meanwhile
    const second = await setup(w);
    const run2 = await runQueue(w, previousSource(w, second.requester), second.requester);
    expect(run2.selected).toEqual([]);
    // Even when handed one directly (e.g. another queue), it is not sent again.
    const direct = await second.requester.request(requestedFirst[0]!);
    await second.requester.drain();
    expect(direct).toMatchObject({ kind: 'already_requested', status: 'skipped' });
    expect(sentBarcodes(w)).toHaveLength(requestedFirst.length);

    const forced = await setup(w, { force: true });
    const again = await forced.requester.request(requestedFirst[0]!);
    await forced.requester.drain();
    expect(again).toMatchObject({ kind: 'already_available', grinResponse: 'Already available for download' });
    expect(sentBarcodes(w)).toHaveLength(requestedFirst.length + 1);
    second.writer.close();
    forced.writer.close();
  });

  it('batches waiting barcodes into one call per batchSize and dedupes within a run', async () => {
    const w = await world();
    const candidates = truth(w.sim, (b) => b.state === 'NEW' && b.conversionFailure === null).map((b) => b.barcode).slice(0, 20);
    expect(candidates).toHaveLength(20);
    const { writer, requester } = await setup(w, { batchSize: 8, lingerMs: 60_000 });
    const first = candidates.map((b) => requester.request(b));
    expect(requester.request(candidates[0]!)).toBe(first[0]); // same promise, nothing new
    await requester.drain();
    expect(w.processCalls().map((c) => c.length)).toEqual([8, 8, 4]);
    expect((await Promise.all(first)).every((r) => r.kind === 'requested')).toBe(true);
    expect(requester.counts().requested).toBe(20);
    // Met again later in the run (e.g. in the next queue): not sent, not recorded, not counted.
    expect(await requester.request(candidates[5]!)).toEqual({ barcode: candidates[5], kind: 'requested', status: null, reason: 'duplicate_in_run' });
    await requester.drain();
    writer.flush();
    expect(w.processCalls()).toHaveLength(3);
    expect(conversionHistory(w.catalogue, candidates[5]!)).toEqual(['requested']);
    expect(requester.counts().requested).toBe(20);
    writer.close();
  });

  it('a hard stop settles waiting barcodes as aborted without recording or sending anything', async () => {
    const w = await world();
    const stop = new AbortController();
    const { writer, requester } = await setup(w, { lingerMs: 60_000, signal: stop.signal });
    const candidates = truth(w.sim, (b) => b.state === 'NEW' && b.conversionFailure === null).slice(0, 3).map((b) => b.barcode);
    const pending = candidates.map((b) => requester.request(b));
    stop.abort();
    expect((await Promise.all(pending)).map((r) => r.kind)).toEqual(['aborted', 'aborted', 'aborted']);
    await requester.drain();
    writer.flush();
    expect(w.processCalls()).toEqual([]);
    for (const b of candidates) expect(conversionHistory(w.catalogue, b)).toEqual([]);
    expect(requester.counts().aborted).toBe(3);
    writer.close();
  });

  it('sends nothing when GRIN\'s queue is already full at start', async () => {
    const w = await world();
    const { writer, requester } = await setup(w, { queueLimit: 10, inProcessCount: 10 });
    expect(requester.accepting).toBe(false);
    const b = truth(w.sim, (x) => x.state === 'NEW' && x.conversionFailure === null)[0]!.barcode;
    expect(await requester.request(b)).toMatchObject({ kind: 'limit_reached', reason: 'queue_cap_reached' });
    await requester.drain();
    expect(w.processCalls()).toEqual([]);
    writer.close();
  });

  it('records request errors as failed (not retried this run) and reports a catalogue that cannot record', async () => {
    const w = await world({ faults: [{ endpoint: 'process', kind: 'status-500', times: 2 }] });
    const { writer, requester } = await setup(w);
    const [b1, b2] = truth(w.sim, (x) => x.state === 'NEW' && x.conversionFailure === null).map((x) => x.barcode);
    const r1 = await requester.request(b1!);
    expect(r1).toMatchObject({ kind: 'failed', reason: 'request_failed' });
    expect(r1.error).toMatch(/^server_error: /);
    expect(await requester.request(b1!)).toEqual({ barcode: b1, kind: 'failed', status: null, reason: 'duplicate_in_run' });
    expect(requester.counts().failed).toBe(1);
    expect(w.processCalls()).toHaveLength(2); // the client's own retry, then given up

    writer.close(); // a writer that cannot record any more
    expect(await requester.request(b2!)).toMatchObject({ kind: 'requested' });
    const error = await requester.drain().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConversionError);
    expect(error).toMatchObject({ code: 'catalogue_write_failed', retryable: false });
  });
});
