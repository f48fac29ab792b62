import type { Catalogue } from '@grin/books';
import type { GrinClient } from '@grin/client';
import type { Readable } from 'node:stream';
import { resolveUserPath } from '@grin/run';
import { barcodesFromArgument, barcodesFromFile, type BarcodeList } from '../select/barcode-sources.js';
import { convertedBarcodes, takeFirst } from '../select/converted-selector.js';
import type { Selection } from './parse-args.js';

/** A selection ready to run: for lists, everything was validated before any other I/O. */
export interface PreparedSelection {
  /** e.g. `GRIN's _converted listing` or `3 barcodes from --barcodes`. */
  describe: string;
  /** Barcodes the source will yield, when known before it runs. */
  total: number | null;
  /** The first barcodes, when known before it runs. */
  first: readonly string[] | null;
  /** The barcodes, pulled lazily by the pipeline. */
  source(ctx: SourceContext): AsyncIterable<string>;
}

export interface SourceContext {
  client: GrinClient;
  signal: AbortSignal;
  /** Absent in a dry run: then no catalogue rows are added. */
  catalogue: Catalogue | null;
  log: (line: string) => void;
  /** Barcodes added to the catalogue because collect never saw them. */
  added: { count: number; sample: string[] };
}

/** Reads and validates `--barcodes` / `--barcodes-file` (this is the only I/O before validation ends). */
export async function prepareSelection(
  selection: Selection,
  limit: number | undefined,
  io: { stdin: Readable; env: Record<string, string | undefined> },
): Promise<PreparedSelection> {
  if (selection.kind === 'queue') {
    return {
      describe: `GRIN's _converted listing${limit === undefined ? '' : ` (first ${limit})`}`,
      total: null,
      first: null,
      source: (ctx) =>
        withCatalogueRows(
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
  return {
    describe: `${total} barcode${total === 1 ? '' : 's'} from ${what}`,
    total,
    first: list.first.slice(0, Math.min(list.first.length, total)),
    source: (ctx) => withCatalogueRows(takeFirst(list.barcodes(), limit), ctx),
  };
}

function noteAdded(ctx: SourceContext, result: { inserted: number; sample: string[] }): void {
  ctx.added.count += result.inserted;
  for (const b of result.sample) if (ctx.added.sample.length < 10) ctx.added.sample.push(b);
}

/** Adds catalogue rows for barcodes collect never saw, 1,000 at a time, before yielding them. */
async function* withCatalogueRows(source: AsyncIterable<string>, ctx: SourceContext): AsyncGenerator<string> {
  const catalogue = ctx.catalogue;
  if (catalogue === null) {
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
