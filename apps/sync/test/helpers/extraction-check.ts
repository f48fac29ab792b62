import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { openCatalogue, type Catalogue } from '@grin/books';
import { parseJsonl } from '../extract/archive-fixtures.js';
import type { Harness } from './sync-harness.js';

export interface ExtractionExpectations {
  /** gzip'd OCR file (default true). */
  compressed?: boolean;
  /** MARC expected in the catalogue (default true); false = no MARC extraction at all. */
  marc?: boolean;
  /** OCR file expected (default true); false = none stored, no text_extraction row. */
  ocr?: boolean;
}

/** Where the OCR file of a volume is read from: local `full/RUN/` or the S3 full bucket. */
export type OcrLocation = { kind: 'local'; storageDir: string } | { kind: 's3'; client: S3Client; bucket: string };

/**
 * Problems (empty = fine) with the extraction results of `barcodes` against the simulator's truth:
 * the catalogue's MARC columns equal `expectedMarc` (+ timestamp, history `marc_extraction`/
 * `completed`); the OCR JSONL has exactly the simulator's page texts, in order (history
 * `text_extraction`/`completed` with the page count; S3 object metadata page_count).
 */
export async function checkExtracted(h: Harness, runName: string, where: OcrLocation, barcodes: readonly string[], expect: ExtractionExpectations = {}): Promise<string[]> {
  const compressed = expect.compressed ?? true;
  const wantMarc = expect.marc ?? true;
  const wantOcr = expect.ocr ?? true;
  const problems: string[] = [];
  const catalogue: Catalogue = openCatalogue(join(h.runDir(runName), 'books.db'), { readonly: true });
  try {
    for (const b of barcodes) {
      const truth = await h.sim.library.archive(b);
      const row = catalogue.getBook(b) as Record<string, unknown> | undefined;
      if (row === undefined) {
        problems.push(`${b}: no catalogue row`);
        continue;
      }
      if (row['sync_timestamp'] === null) problems.push(`${b}: not synced`);
      const marcStatus = catalogue.latestStatus(b, 'marc_extraction');
      if (wantMarc) {
        for (const [column, value] of Object.entries(truth.expectedMarc)) {
          if (row[column] !== value) problems.push(`${b}: ${column} = ${JSON.stringify(row[column])}, expected ${JSON.stringify(value)}`);
        }
        if (row['marc_extraction_timestamp'] === null) problems.push(`${b}: no marc_extraction_timestamp`);
        if (marcStatus?.statusValue !== 'completed') problems.push(`${b}: marc_extraction history ${String(marcStatus?.statusValue)}`);
      } else if (marcStatus !== undefined) {
        problems.push(`${b}: MARC extraction recorded although it was off`);
      }

      const name = `${b}_ocr.jsonl${compressed ? '.gz' : ''}`;
      const textStatus = catalogue.latestStatus(b, 'text_extraction');
      let data: Buffer | null = null;
      let pageCountMeta: string | undefined;
      if (where.kind === 'local') {
        const path = join(where.storageDir, 'full', runName, name);
        if (existsSync(path)) data = await readFile(path);
      } else {
        try {
          const got = await where.client.send(new GetObjectCommand({ Bucket: where.bucket, Key: `${runName}/${name}` }));
          const chunks: Buffer[] = [];
          for await (const c of got.Body as Readable) chunks.push(c as Buffer);
          data = Buffer.concat(chunks);
          pageCountMeta = got.Metadata?.['page_count'];
        } catch {
          data = null;
        }
      }
      if (!wantOcr) {
        if (data !== null) problems.push(`${b}: an OCR file was stored although OCR was off`);
        if (textStatus !== undefined) problems.push(`${b}: text extraction recorded although it was off`);
        continue;
      }
      if (data === null) {
        problems.push(`${b}: no OCR file ${name}`);
        continue;
      }
      let pages: string[];
      try {
        pages = parseJsonl(data, compressed);
      } catch (error) {
        problems.push(`${b}: OCR file unreadable: ${(error as Error).message}`);
        continue;
      }
      if (JSON.stringify(pages) !== JSON.stringify(truth.ocrPages)) problems.push(`${b}: OCR pages differ from the simulator's (${pages.length} vs ${truth.ocrPages.length})`);
      if (textStatus?.statusValue !== 'completed') problems.push(`${b}: text_extraction history ${String(textStatus?.statusValue)}`);
      else if ((textStatus.metadata as { page_count?: number } | null)?.page_count !== truth.ocrPages.length) problems.push(`${b}: recorded page_count differs`);
      if (where.kind === 's3' && pageCountMeta !== String(truth.ocrPages.length)) problems.push(`${b}: page_count metadata ${String(pageCountMeta)}`);
    }
  } finally {
    catalogue.close();
  }
  return problems;
}
