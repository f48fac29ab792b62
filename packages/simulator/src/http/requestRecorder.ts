import type { FaultKind, SimulatorEndpoint } from '../faults/faultTypes.js';
import type { ListingPageServed, LoggedRequest, SimulatorStats } from '../simulatorTypes.js';

const LOG_CAPACITY = 100_000;

/** Counters and the bounded request log behind `stats()` and `requestLog()`. */
export class RequestRecorder {
  private readonly log: (LoggedRequest | undefined)[] = new Array<LoggedRequest | undefined>(LOG_CAPACITY);
  private next = 0;
  private seq = 0;
  private readonly counters: SimulatorStats = {
    requests: {},
    statuses: {},
    endpointStatuses: {},
    tokensIssued: 0,
    refreshGrants: 0,
    authorizationCodeGrants: 0,
    unauthorized: 0,
    listingPages: [],
    faultsApplied: {},
    conversionsRequested: 0,
    archivesGenerated: 0,
    archiveBytesServed: 0,
  };

  begin(method: string, path: string, query: URLSearchParams, endpoint: SimulatorEndpoint | 'other', barcode?: string): LoggedRequest {
    const entry: LoggedRequest = {
      seq: ++this.seq,
      method,
      path,
      query: Object.fromEntries(query),
      status: 0,
      endpoint,
      faults: [],
      aborted: false,
    };
    if (barcode !== undefined) entry.barcode = barcode;
    this.counters.requests[endpoint] = (this.counters.requests[endpoint] ?? 0) + 1;
    this.log[this.next] = entry;
    this.next = (this.next + 1) % LOG_CAPACITY;
    return entry;
  }

  /** Called when the status is decided (before the body is sent) so callers see it as soon as they get the response. */
  responded(entry: LoggedRequest, status: number): void {
    if (entry.status !== 0) return;
    entry.status = status;
    const key = String(status);
    this.counters.statuses[key] = (this.counters.statuses[key] ?? 0) + 1;
    const perEndpoint = (this.counters.endpointStatuses[entry.endpoint] ??= {});
    perEndpoint[key] = (perEndpoint[key] ?? 0) + 1;
  }

  finish(entry: LoggedRequest, status: number, aborted: boolean): void {
    this.responded(entry, status);
    entry.aborted = aborted;
  }

  faults(entry: LoggedRequest, kinds: readonly FaultKind[]): void {
    for (const kind of kinds) {
      entry.faults.push(kind);
      this.counters.faultsApplied[kind] = (this.counters.faultsApplied[kind] ?? 0) + 1;
    }
  }

  listingPage(page: ListingPageServed): void {
    const pages = this.counters.listingPages;
    if (pages.length >= LOG_CAPACITY) pages.shift();
    pages.push(page);
  }

  count(field: 'tokensIssued' | 'refreshGrants' | 'authorizationCodeGrants' | 'unauthorized' | 'conversionsRequested' | 'archivesGenerated', by = 1): void {
    this.counters[field] += by;
  }

  bytesServed(bytes: number): void {
    this.counters.archiveBytesServed += bytes;
  }

  stats(): SimulatorStats {
    return structuredClone(this.counters);
  }

  entries(): readonly LoggedRequest[] {
    const out: LoggedRequest[] = [];
    for (let i = 0; i < LOG_CAPACITY; i++) {
      const entry = this.log[(this.next + i) % LOG_CAPACITY];
      if (entry) out.push({ ...entry, query: { ...entry.query }, faults: [...entry.faults] });
    }
    return out;
  }
}
