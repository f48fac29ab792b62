import { describe, expect, it } from 'vitest';
import { CatalogueQueueSource, ConversionRequester, loadConversionState } from '../../src/convert/index.js';
import { conversionHistory, truth, worldsClosedAfterEach } from './convert-world.js';

const world = worldsClosedAfterEach();

async function collect(source: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const b of source) out.push(b);
  return out;
}

describe('loadConversionState', () => {
  it("reads GRIN's _in_process and _failed lists", async () => {
    const w = await world();
    const state = await loadConversionState(w.client);
    expect([...state.inProcess].sort()).toEqual([...w.sim.library.listing('_in_process')].map((b) => b.barcode).sort());
    expect(state.inProcess.size).toBe(w.baseInProcess);
    const failed = [...w.sim.library.listing('_failed')];
    expect(failed.length).toBeGreaterThan(3);
    expect([...state.failed.keys()].sort()).toEqual(failed.map((b) => b.barcode).sort());
    const first = failed[0]!;
    expect(state.failed.get(first.barcode)?.info).toBe(first.conversionFailure?.info);
    expect(state.failed.get(first.barcode)?.detailedInfo).toBe(first.conversionFailure?.detailedInfo);
    expect(state.failedListError).toBeNull();
  });

  it('goes on with an empty failed map when _failed cannot be read, but not without _in_process', async () => {
    const w = await world({ faults: [{ endpoint: 'listing', kind: 'status-500', match: { list: '_failed' } }] });
    const state = await loadConversionState(w.client);
    expect(state.failed.size).toBe(0);
    expect(state.failedListError).toMatchObject({ code: 'server_error' });
    expect(state.inProcess.size).toBe(w.baseInProcess);

    w.sim.setFaults([{ endpoint: 'text-list', kind: 'status-500' }]);
    await expect(loadConversionState(w.client)).rejects.toMatchObject({ code: 'server_error' });
  });
});

describe('CatalogueQueueSource', () => {
  it('--queue previous: PREVIOUSLY_DOWNLOADED minus _in_process and _failed (recorded conversion_failed)', async () => {
    const w = await world();
    const previous = truth(w.sim, (b) => b.state === 'PREVIOUSLY_DOWNLOADED');
    const failed = previous.filter((b) => b.conversionFailure !== null);
    const convertible = previous.filter((b) => b.conversionFailure === null);
    expect(failed.length).toBeGreaterThan(0);
    // Someone else (the earlier tool, another run) queued three of them: they are on _in_process.
    const queuedElsewhere = convertible.slice(0, 3).map((b) => b.barcode);
    await w.client.requestConversion(queuedElsewhere);

    const state = await loadConversionState(w.client);
    for (const b of queuedElsewhere) expect(state.inProcess.has(b)).toBe(true);
    const writer = w.catalogue.createStatusWriter();
    const requester = new ConversionRequester({ client: w.client, events: writer, state });
    const source = new CatalogueQueueSource({ catalogue: w.catalogue, queue: 'previous', requester });
    const expected = convertible.map((b) => b.barcode).filter((b) => !queuedElsewhere.includes(b));
    expect(source.total()).toBe(expected.length);

    const selected = await collect(source);
    expect(selected.sort()).toEqual([...expected].sort());
    expect(source.counts).toEqual({ selected: expected.length, inProcess: 3, conversionFailed: failed.length, invalid: 0 });
    await requester.drain();
    writer.flush();
    expect(w.processCalls()).toHaveLength(1); // only the test's own call above
    for (const b of failed) {
      const history = w.catalogue.getStatusHistory(b.barcode, 'conversion');
      expect(history.map((h) => h.statusValue)).toEqual(['conversion_failed']);
      expect(history[0]?.metadata).toMatchObject({
        reason: 'on_grin_failed_list',
        grin_convert_failed_info: b.conversionFailure?.info,
        grin_detailed_convert_failed_info: b.conversionFailure?.detailedInfo,
      });
    }
    expect(requester.counts().conversion_failed).toBe(failed.length);

    // Recorded failures leave the selection in SQL from now on; force brings them back.
    const again = new CatalogueQueueSource({ catalogue: w.catalogue, queue: 'previous', requester });
    expect((await collect(again)).sort()).toEqual([...expected].sort());
    expect(again.counts.conversionFailed).toBe(0);
    const forced = new ConversionRequester({ client: w.client, events: writer, state, force: true });
    const withForce = await collect(new CatalogueQueueSource({ catalogue: w.catalogue, queue: 'previous', requester: forced }));
    expect(withForce.sort()).toEqual([...expected, ...failed.map((b) => b.barcode)].sort());
    writer.close();
  });

  it('--force keeps synced volumes in the catalogue queues (the earlier tool\'s --force stopped at that filter)', async () => {
    const w = await world();
    const state = await loadConversionState(w.client);
    const writer = w.catalogue.createStatusWriter();
    const requester = new ConversionRequester({ client: w.client, events: writer, state });
    const before = await collect(new CatalogueQueueSource({ catalogue: w.catalogue, queue: 'previous', requester }));
    const synced = before[0] as string;
    writer.synced(synced, { storagePath: `raw/${synced}/${synced}.tar.gz`, encryptedEtag: 'etag-1', isDecrypted: true });
    writer.flush();

    const plain = await collect(new CatalogueQueueSource({ catalogue: w.catalogue, queue: 'previous', requester }));
    expect(plain).not.toContain(synced);
    expect(plain).toHaveLength(before.length - 1);
    const forced = new ConversionRequester({ client: w.client, events: writer, state, force: true });
    const withForce = await collect(new CatalogueQueueSource({ catalogue: w.catalogue, queue: 'previous', requester: forced }));
    expect(withForce).toContain(synced);
    await requester.drain();
    writer.close();
  });

  it('--queue unconverted: never requested, not converted, not checked in / unavailable', async () => {
    const w = await world();
    const state = await loadConversionState(w.client);
    const writer = w.catalogue.createStatusWriter();
    const requester = new ConversionRequester({ client: w.client, events: writer, state });
    const source = new CatalogueQueueSource({ catalogue: w.catalogue, queue: 'unconverted', requester });
    const expected = truth(
      w.sim,
      (b) =>
        b.convertedDate === null &&
        b.state !== 'CHECKED_IN' &&
        b.state !== 'NOT_AVAILABLE_FOR_DOWNLOAD' &&
        !state.inProcess.has(b.barcode) &&
        b.conversionFailure === null,
    ).map((b) => b.barcode);
    expect(expected.length).toBeGreaterThan(5);
    const selected = await collect(source);
    expect(selected.sort()).toEqual(expected.sort());
    // Nothing converted, checked in or in process is selected.
    for (const barcode of selected) {
      const book = w.sim.library.byBarcode(barcode)!;
      expect(['CONVERTED', 'CHECKED_IN', 'NOT_AVAILABLE_FOR_DOWNLOAD', 'IN_PROCESS']).not.toContain(book.state);
    }
    await requester.drain();
    writer.close();
  });

  it('honours limit and stops at the signal', async () => {
    const w = await world();
    const state = await loadConversionState(w.client);
    const writer = w.catalogue.createStatusWriter();
    const requester = new ConversionRequester({ client: w.client, events: writer, state });
    const limited = new CatalogueQueueSource({ catalogue: w.catalogue, queue: 'previous', requester, limit: 4 });
    expect(limited.total()).toBe(4);
    expect(await collect(limited)).toHaveLength(4);

    const stop = new AbortController();
    const stopped = new CatalogueQueueSource({ catalogue: w.catalogue, queue: 'previous', requester, signal: stop.signal });
    const seen: string[] = [];
    for await (const b of stopped) {
      seen.push(b);
      if (seen.length === 2) stop.abort();
    }
    expect(seen).toHaveLength(2);
    await requester.drain();
    writer.close();
  });

  it('a second run does not select volumes already requested', async () => {
    const w = await world();
    const writer = w.catalogue.createStatusWriter();
    const state = await loadConversionState(w.client);
    const requester = new ConversionRequester({ client: w.client, events: writer, state, lingerMs: 0 });
    const first = await collect(new CatalogueQueueSource({ catalogue: w.catalogue, queue: 'previous', requester }));
    const picked = first.slice(0, 5);
    await Promise.all(picked.map((b) => requester.request(b)));
    await requester.drain();
    writer.flush();
    for (const b of picked) {
      expect(conversionHistory(w.catalogue, b)).toEqual(['requested']);
      expect(w.catalogue.getBook(b)?.processing_request_timestamp).toMatch(/^\d{4}-\d\d-\d\dT/);
    }
    // Conversions done on GRIN's side: no longer on _in_process, still never selected again.
    w.advance(24 * 3_600_000);
    const state2 = await loadConversionState(w.client);
    for (const b of picked) expect(state2.inProcess.has(b)).toBe(false);
    const requester2 = new ConversionRequester({ client: w.client, events: writer, state: state2 });
    const second = await collect(new CatalogueQueueSource({ catalogue: w.catalogue, queue: 'previous', requester: requester2 }));
    expect(second.sort()).toEqual(first.filter((b) => !picked.includes(b)).sort());
    await requester2.drain();
    writer.close();
  });
});
