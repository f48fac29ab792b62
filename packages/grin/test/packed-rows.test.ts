import { describe, expect, it } from 'vitest';
import { packListingRows, unpackListingRows, type ListingRow } from '../src/index.js';
import { packedRowCount, RowPacker } from '../src/listing/packed-rows.js';

const row = (over: Partial<ListingRow> = {}): ListingRow => ({
  barcode: '32044010000001',
  title: 'Über die Natur, "Band 1" & <mehr>',
  grinState: 'CONVERTED',
  scannedDate: '2024-01-15T14:30:00',
  analyzedDate: null,
  convertedDate: '2024-02-01T00:00:00',
  downloadedDate: null,
  processedDate: 'sometime in 2020',
  ocrDate: null,
  googleBooksLink: 'https://books.google.com/books?id=abc',
  extra: {},
  ...over,
});

describe('packed listing rows', () => {
  it('round-trips rows, nulls, empty titles and links, and extra columns', () => {
    const rows = [
      row(),
      row({ barcode: 'B2', title: '', grinState: null, googleBooksLink: '', scannedDate: null }),
      row({ barcode: 'F1', extra: { convert_failed_info: 'Bad scan', detailed_convert_failed_info: 'Page 12\u001f & 13 "x"' } }),
    ];
    const packed = packListingRows(rows);
    expect(packed.startsWith('3\u001f')).toBe(true);
    expect(packedRowCount(packed)).toBe(3);
    expect(unpackListingRows(packed)).toEqual(rows);
    expect(unpackListingRows(packListingRows([]))).toEqual([]);
  });

  it('falls back to JSON for a batch with a separator character in a value', () => {
    const rows = [row(), row({ barcode: 'B2', title: 'A\u001fB' })];
    const packed = packListingRows(rows);
    expect(packed.startsWith('J')).toBe(true);
    expect(packedRowCount(packed)).toBe(2);
    expect(unpackListingRows(packed)).toEqual(rows);
  });

  it('closes batches every N rows, only the batch with the separator going as JSON', () => {
    const packer = new RowPacker(2);
    const rows = [row({ barcode: 'A' }), row({ barcode: 'B' }), row({ barcode: 'C', title: 'x\u001f' }), row({ barcode: 'D' }), row({ barcode: 'E' })];
    for (const r of rows) packer.addRow(r);
    expect(packer.pendingRows).toBe(1);
    packer.close();
    const batches = packer.take();
    expect(batches.map((b) => b[0])).toEqual(['2', 'J', '1']);
    expect(batches.flatMap((b) => unpackListingRows(b))).toEqual(rows);
    expect(packer.take()).toEqual([]);
  });

  it('rejects a damaged batch', () => {
    const packed = packListingRows([row(), row()]);
    expect(() => unpackListingRows(packed.slice(0, packed.lastIndexOf('\u001f')))).toThrow(/malformed/);
  });
});
