import { join } from 'node:path';
import { openCatalogue, type Catalogue, type ListingRow } from '@grin/books';
import { createGrinClient, type GrinClient, type ListingRow as GrinListingRow } from '@grin/client';
import type { Harness } from './sync-harness.js';

/**
 * Fills `output/RUN/books.db` from the simulator's `_all_books` listing with @grin/books'
 * storeListingPage — what `pnpm run collect` does (sync never imports collect).
 */
export async function fillCatalogue(h: Harness, runName: string): Promise<number> {
  const client = createGrinClient({
    libraryDirectory: h.sim.libraryDirectory,
    baseUrl: h.sim.grinBaseUrl,
    credentialsDir: h.credentialsDir,
    requestsPerSecond: Number.POSITIVE_INFINITY,
    parseIn: 'main',
  });
  const catalogue = openCatalogue(join(h.runDir(runName), 'books.db'));
  try {
    return await storeAllBooks(client, catalogue);
  } finally {
    catalogue.close();
    await client.close();
  }
}

/** Stores every page of `client`'s `_all_books` listing in `catalogue`; returns the row count. */
export async function storeAllBooks(client: GrinClient, catalogue: Catalogue): Promise<number> {
  let rows = 0;
  for await (const page of client.listPages('_all_books', { pageSize: 100 })) {
    catalogue.storeListingPage({
      list: '_all_books',
      pageNumber: page.pageNumber,
      url: page.url,
      nextUrl: page.nextUrl,
      pageSize: 100,
      rows: page.rows.map(toCatalogueRow),
    });
    rows += page.rows.length;
  }
  return rows;
}

function toCatalogueRow(row: GrinListingRow): ListingRow {
  const { extra: _extra, ...fields } = row;
  return fields;
}
