import { expectedMarcColumns } from './expectedMarc.js';
import { generateMarcRecord } from './marcRecord.js';
import { type MetsFile, renderMets } from './metsXml.js';
import { hocrPage, ocrPageText } from './ocrText.js';
import { hash3 } from '../library/random.js';
import type { ArchiveEntry, MarcRecord, SimulatedBook } from '../types.js';

const PLAN_SALT = 0x91a4;
/** Images dominate large archives; a page image rarely exceeds a few MB. */
const BYTES_PER_PAGE_LARGE = 1.5 * 1024 * 1024;
const MAX_PAGES = 1200;

export type PlannedEntry =
  | { path: string; kind: 'text'; data: Buffer }
  | { path: string; kind: 'image'; size: number; page: number };

export interface ArchivePlan {
  entries: PlannedEntry[];
  marcRecord: MarcRecord;
  expectedMarc: Record<string, string | null>;
  ocrPages: string[];
}

const seq = (n: number): string => String(n).padStart(8, '0');

/**
 * Everything in a book's archive except the image bytes (streamed later): page numbering with
 * the seeded ~5% single-page gap, OCR/hOCR texts, the METS/MARC document, image sizes chosen so
 * the archive reaches roughly `targetBytes` (images are incompressible).
 */
export function planArchive(key: number, book: SimulatedBook, targetBytes: number): ArchivePlan {
  const h = hash3(key, book.index, PLAN_SALT);
  const basePages = 4 + (h % 12);
  const pageCount = Math.max(basePages, Math.min(MAX_PAGES, Math.round(targetBytes / BYTES_PER_PAGE_LARGE)));
  const hasGap = (h >>> 8) % 100 < 5 && pageCount >= 3;
  const maxPage = hasGap ? pageCount + 1 : pageCount;
  const gap = hasGap ? 1 + ((h >>> 16) % (maxPage - 1)) : -1;

  const ocrPages: string[] = [];
  const texts: { page: number; text: Buffer; hocr: Buffer }[] = [];
  let textBytes = 0;
  for (let page = 1; page <= maxPage; page++) {
    if (page === gap) {
      ocrPages.push('');
      continue;
    }
    const text = ocrPageText(key, book.index, page);
    ocrPages.push(text);
    const entry = { page, text: Buffer.from(text), hocr: Buffer.from(hocrPage(text, page)) };
    textBytes += entry.text.length + entry.hocr.length;
    texts.push(entry);
  }

  // Text compresses to roughly a quarter; each tar entry costs a header plus padding.
  const overhead = textBytes / 4 + texts.length * 3 * 768 + 8192;
  const imageBudget = Math.max(texts.length * 512, targetBytes - overhead);
  const perImage = imageBudget / texts.length;
  const imageSize = (page: number): number => {
    const jitter = ((hash3(key, book.index, PLAN_SALT + page) % 2001) - 1000) / 10000; // +-10%
    return Math.max(256, Math.floor(perImage * (1 + jitter)));
  };

  const metsFiles: MetsFile[] = [];
  const pageEntries: PlannedEntry[] = [];
  for (const { page, text, hocr } of texts) {
    const size = imageSize(page);
    pageEntries.push({ path: `${seq(page)}.txt`, kind: 'text', data: text });
    pageEntries.push({ path: `${seq(page)}.html`, kind: 'text', data: hocr });
    pageEntries.push({ path: `${seq(page)}.jp2`, kind: 'image', size, page });
    metsFiles.push({ id: `IMAGE${seq(page)}`, path: `${seq(page)}.jp2`, mimetype: 'image/jp2', size });
    metsFiles.push({ id: `OCR${seq(page)}`, path: `${seq(page)}.txt`, mimetype: 'text/plain', size: text.length });
    metsFiles.push({ id: `HOCR${seq(page)}`, path: `${seq(page)}.html`, mimetype: 'text/html', size: hocr.length });
  }
  const marcRecord = generateMarcRecord(key, book);
  const created = new Date(Date.UTC(2020, 0, 1) + (h % 1_000_000) * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const mets = Buffer.from(renderMets(book.barcode, marcRecord, metsFiles, created));
  return {
    entries: [{ path: `${book.barcode}.xml`, kind: 'text', data: mets }, ...pageEntries],
    marcRecord,
    expectedMarc: expectedMarcColumns(marcRecord),
    ocrPages,
  };
}

export function plannedEntrySize(entry: PlannedEntry): number {
  return entry.kind === 'text' ? entry.data.length : entry.size;
}

export function entryList(plan: ArchivePlan): ArchiveEntry[] {
  return plan.entries.map((entry) => ({ path: entry.path, size: plannedEntrySize(entry) }));
}
