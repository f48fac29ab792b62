import type { Catalogue, CatalogueQueue } from '@grin/books';
import type { GrinClient } from '@grin/client';
import type { Readable } from 'node:stream';
import { resolveUserPath } from '@grin/run';
import { CatalogueQueueSource, type ConversionRequester, type QueueSelectionCounts } from '../convert/index.js';
import { barcodesFromArgument, barcodesFromFile, type BarcodeList } from '../select/barcode-sources.js';
import { convertedBarcodes, countConvertedBarcodes, takeFirst } from '../select/converted-selector.js';
import type { QueueName, Selection } from './parse-args.js';

/**
 * A selection ready to run: one part per `--queue` (run one after the other, in the order given),
 * or a single part for a barcode list. Lists were validated before any other I/O.
 */
export interface PreparedSelection {
  /** e.g. `queues converted, previous` or `3 barcodes from --barcodes`. */
  describe: string;
  parts: SelectionPart[];
  /** True when a part selects from the catalogue (previous / unconverted): conversion requests are on. */
  requestsConversions: boolean;
}

/** One queue (or the barcode list) of a selection. */
export interface SelectionPart {
  /** `converted`, `previous`, `unconverted` or `barcodes`. */
  name: QueueName | 'barcodes';
  /** e.g. `GRIN's _converted listing (first 10)`. */
  describe: string;
  /** The catalogue queue this part reads, or null (GRIN's listing, a barcode list). */
  catalogueQueue: CatalogueQueue | null;
  /** The first barcodes, when known before it runs (barcode lists). */
  first: readonly string[] | null;
  /** Opens the part's barcode source, pulled lazily by the pipeline. */
  open(ctx: SourceContext): OpenedSource;
}

export interface OpenedSource {
  source: AsyncIterable<string>;
  /** Barcodes the source will yield, when known before it runs. */
  total: number | null;
  /** What a catalogue queue left out so far (`_in_process`, `_failed`, invalid). */
  counts?: () => QueueSelectionCounts;
}

export interface SourceContext {
  client: GrinClient;
  signal: AbortSignal;
  /** Absent in a dry run of a GRIN listing or barcode list: then no catalogue rows are added. */
  catalogue: Catalogue | null;
  /** The run's conversion requester; required for catalogue queues. */
  requester: ConversionRequester | null;
  log: (line: string) => void;
  /** Barcodes added to the catalogue because collect never saw them. */
  added: { count: number; sample: string[] };
  /** Told the selection's size once it is known after the start (GRIN's listing counted). */
  onTotal?: (total: number) => void;
  /** False in a dry run: no catalogue rows are added. */
  write: boolean;
}

/** Reads and validates `--barcodes` / `--barcodes-file` (this is the only I/O before validation ends). */
export async function prepareSelection(
  selection: Selection,
  limit: number | undefined,
  io: { stdin: Readable; env: Record<string, string | undefined> },
): Promise<PreparedSelection> {
  const first = limit === undefined ? '' : ` (first ${limit})`;
  if (selection.kind === 'queues') {
    const parts = selection.queues.map((queue): SelectionPart => {
      if (queue === 'converted') {
        return {
          name: queue,
          describe: `GRIN's _converted listing${first}`,
          catalogueQueue: null,
          first: null,
          open: (ctx) => {
            if (ctx.onTotal !== undefined) countInBackground(ctx, limit, ctx.onTotal);
            return {
            total: null,
            source: withCatalogueRows(
              takeFirst(
                convertedBarcodes(ctx.client, {
                  signal: ctx.signal,
                  onInvalid: (barcode) => ctx.log(`skipping listed barcode ${JSON.stringify(barcode)}: not a safe barcode`),
                }),
                limit,
              ),
              ctx,
            ),
            };
          },
        };
      }
      return {
        name: queue,
        describe: `the catalogue's ${queue} queue${first}`,
        catalogueQueue: queue,
        first: null,
        open: (ctx) => {
          if (ctx.catalogue === null || ctx.requester === null) throw new Error(`the ${queue} queue needs the catalogue and the conversion requester`);
          const source = new CatalogueQueueSource({
            catalogue: ctx.catalogue,
            queue,
            requester: ctx.requester,
            ...(limit === undefined ? {} : { limit }),
            signal: ctx.signal,
            onInvalid: (barcode) => ctx.log(`skipping catalogue barcode ${JSON.stringify(barcode)}: not a safe barcode`),
          });
          return { source, total: source.total(), counts: () => source.counts };
        },
      };
    });
    return {
      describe: selection.queues.length === 1 ? (parts[0] as SelectionPart).describe : `queues ${selection.queues.join(', ')}${first === '' ? '' : ` (first ${limit} each)`}`,
      parts,
      requestsConversions: parts.some((p) => p.catalogueQueue !== null),
    };
  }
  let list: BarcodeList;
  let what: string;
  if (selection.kind === 'barcodes') {
    list = barcodesFromArgument(selection.text);
    what = '--barcodes';
  } else {
    const path = selection.path === '-' ? '-' : resolveUserPath(selection.path, io.env);
    list = await barcodesFromFile(path, io.stdin);
    what = selection.path === '-' ? 'standard input' : path;
  }
  const total = limit === undefined ? list.count : Math.min(limit, list.count);
  const describe = `${total} barcode${total === 1 ? '' : 's'} from ${what}`;
  return {
    describe,
    parts: [
      {
        name: 'barcodes',
        describe,
        catalogueQueue: null,
        first: list.first.slice(0, Math.min(list.first.length, total)),
        open: (ctx) => ({ total, source: withCatalogueRows(takeFirst(list.barcodes(), limit), ctx) }),
      },
    ],
    requestsConversions: false,
  };
}

function noteAdded(ctx: SourceContext, result: { inserted: number; sample: string[] }): void {
  ctx.added.count += result.inserted;
  for (const b of result.sample) if (ctx.added.sample.length < 10) ctx.added.sample.push(b);
}

/** Adds catalogue rows for barcodes collect never saw, 1,000 at a time, before yielding them. */
async function* withCatalogueRows(source: AsyncIterable<string>, ctx: SourceContext): AsyncGenerator<string> {
  const catalogue = ctx.catalogue;
  if (catalogue === null || !ctx.write) {
    yield* source;
    return;
  }
  let batch: string[] = [];
  for await (const barcode of source) {
    batch.push(barcode);
    if (batch.length === 1000) {
      noteAdded(ctx, catalogue.ensureBooks(batch));
      yield* batch;
      batch = [];
    }
  }
  if (batch.length > 0) {
    noteAdded(ctx, catalogue.ensureBooks(batch));
    yield* batch;
  }
}

/**
 * Counts GRIN's `_converted` listing beside the run, so the progress display gets a total (and an
 * ETA) long before the pipeline's own walk reaches the end of a long listing. A failure only
 * leaves the total unknown: the pipeline's walk reports listing errors itself.
 */
function countInBackground(ctx: SourceContext, limit: number | undefined, onTotal: (total: number) => void): void {
  countConvertedBarcodes(ctx.client, { signal: ctx.signal, ...(limit === undefined ? {} : { max: limit }) })
    .then(onTotal)
    .catch(() => undefined);
}
