import { describe, expect, it } from 'vitest';
import { BarcodeMapping, Library, MAX_LIBRARY_SIZE, parseGrinDate, SimulatorError } from '../src/index.js';
import { luhnCheckDigit } from '../src/library/barcodeMapping.js';
import { seedKey } from '../src/library/random.js';

const lib = (size: number, seed = 1): Library => new Library({ size, seed, clock: () => 0, conversionDelayMs: 1000 });
const GRIN_DATE = /^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}$/;

describe('library model', () => {
  it('is deterministic from the seed and differs between seeds', () => {
    const a = lib(5000, 42);
    const b = lib(5000, 42);
    const c = lib(5000, 43);
    for (const i of [0, 1, 2, 999, 4999]) expect(a.book(i)).toEqual(b.book(i));
    const differing = [0, 1, 2, 3, 4, 5, 6, 7].filter((i) => a.book(i).barcode !== c.book(i).barcode);
    expect(differing.length).toBeGreaterThan(5);
  });

  it('maps index <-> barcode invertibly, including a 1,000,000-volume library', () => {
    for (const size of [1, 2000, 1_000_000]) {
      const mapping = new BarcodeMapping(seedKey(7), size);
      const seen = new Set<string>();
      const step = Math.max(1, Math.floor(size / 20_000));
      const wrong: number[] = [];
      for (let i = 0; i < size; i += step) {
        const barcode = mapping.barcodeOf(i);
        if (mapping.indexOf(barcode) !== i || seen.has(barcode)) wrong.push(i);
        seen.add(barcode);
      }
      expect(wrong).toEqual([]);
      expect(mapping.indexOf(mapping.barcodeOf(size - 1))).toBe(size - 1);
    }
    const big = lib(1_000_000, 7);
    expect(big.byBarcode(big.book(999_999).barcode)?.index).toBe(999_999);
  });

  it('produces realistic barcodes and rejects foreign ones', () => {
    const l = lib(20_000, 3);
    let numeric = 0;
    let alnum = 0;
    const malformed: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const barcode = l.barcodes.barcodeOf(i);
      if (/^32044\d{9}$/.test(barcode)) {
        numeric++;
        if (luhnCheckDigit(barcode.slice(0, 13)) !== Number(barcode[13])) malformed.push(barcode);
      } else {
        if (!/^HN[0-9A-Z]{6}$/.test(barcode)) malformed.push(barcode);
        alnum++;
      }
    }
    expect(malformed).toEqual([]);
    expect(numeric).toBeGreaterThan(17_000);
    expect(alnum).toBeGreaterThan(1000);
    const valid = l.book(10).barcode;
    expect(l.byBarcode('32044000000000')).toBeUndefined();
    expect(l.byBarcode('not a barcode')).toBeUndefined();
    // Wrong check digit.
    if (/^\d+$/.test(valid)) expect(l.byBarcode(valid.slice(0, 13) + String((Number(valid[13]) + 1) % 10))).toBeUndefined();
    // A barcode of a bigger library with the same seed is outside this one.
    const bigger = lib(1_000_000, 3);
    const outside = bigger.book(900_000).barcode;
    expect(l.byBarcode(outside)).toBeUndefined();
    expect(() => l.book(20_000)).toThrow(SimulatorError);
    expect(() => new BarcodeMapping(1, MAX_LIBRARY_SIZE + 1)).toThrow(RangeError);
  });

  it('has a realistic mix of states, titles and dates', () => {
    const l = lib(20_000, 11);
    const states = new Map<string, number>();
    const problems: string[] = [];
    let nonAscii = 0;
    let special = 0;
    let longTitles = 0;
    let emptyDates = 0;
    let failures = 0;
    for (let i = 0; i < 20_000; i++) {
      const b = l.book(i);
      states.set(b.state, (states.get(b.state) ?? 0) + 1);
      if ((b.state === 'NOT_AVAILABLE_FOR_DOWNLOAD') !== (b.title === '')) problems.push(`${i}: title/state`);
      if (/[^\x00-\x7f]/.test(b.title)) nonAscii++;
      if (/[&<"]/.test(b.title) && b.title.includes(',')) special++;
      if (b.title.length > 1000) longTitles++;
      if (/[\r\n\t]/.test(b.title)) problems.push(`${i}: control character in title`);
      for (const d of [b.scannedDate, b.analyzedDate, b.convertedDate, b.downloadedDate, b.processedDate, b.ocrDate]) {
        if (d === null) emptyDates++;
        else if (!GRIN_DATE.test(d)) problems.push(`${i}: date ${d}`);
      }
      if (b.archiveAvailable !== (b.state === 'CONVERTED')) problems.push(`${i}: archiveAvailable`);
      if ((b.state === 'CONVERTED' || b.state === 'PREVIOUSLY_DOWNLOADED') && b.convertedDate === null) problems.push(`${i}: converted date`);
      if (b.conversionFailure) {
        failures++;
        if (!GRIN_DATE.test(b.conversionFailure.date)) problems.push(`${i}: failure date`);
        if (!['CHECKED_IN', 'PREVIOUSLY_DOWNLOADED', 'NEW'].includes(b.state)) problems.push(`${i}: failed in state ${b.state}`);
      }
      if (!/^https:\/\/books\.google\.com\/books\?id=[A-Za-z0-9_-]{12}$/.test(b.googleBooksLink)) problems.push(`${i}: link`);
    }
    expect(problems).toEqual([]);
    for (const state of ['CHECKED_IN', 'CONVERTED', 'PREVIOUSLY_DOWNLOADED', 'NOT_AVAILABLE_FOR_DOWNLOAD', 'NEW', 'IN_PROCESS']) {
      expect(states.get(state) ?? 0).toBeGreaterThan(200);
    }
    expect(nonAscii).toBeGreaterThan(500);
    expect(special).toBeGreaterThan(100);
    expect(longTitles).toBeGreaterThan(5);
    expect(emptyDates).toBeGreaterThan(1000);
    expect(failures).toBeGreaterThan(100);
  });

  it('keeps dates in order and enrichment in its value domains', () => {
    const l = lib(1000, 5);
    for (let i = 0; i < 1000; i++) {
      const b = l.book(i);
      const scanned = b.scannedDate && parseGrinDate(b.scannedDate);
      const processed = b.processedDate && parseGrinDate(b.processedDate);
      if (scanned && processed) expect(processed).toBeGreaterThanOrEqual(scanned);
      const e = b.enrichment;
      expect(e['Barcode']).toBe(b.barcode);
      expect(e['State']).toBe(b.state);
      expect(['VIEW_FULL', 'VIEW_METADATA', 'VIEW_NONE', 'VIEW_SNIPPET']).toContain(e['Viewability']);
      expect(['NON_DESTRUCTIVE', 'SHEETFED', 'DIGIFEED']).toContain(e['Digitization Method']);
      for (const col of ['Scannable', 'Opted-Out (post-scan)', 'Tagging', 'Rubbish', 'Claimed']) expect(['true', 'false']).toContain(e[col]);
      expect(e['Material Error%']).toMatch(/^\d+%$/);
      expect(e['Conditions']).toMatch(/^(\d+(,\d+)*)?$/);
      const score = Number(e['OCR GTD Score']);
      expect(score >= 0 && score <= 100).toBe(true);
      expect(e['Scanned Date']).toBe(b.scannedDate ?? '');
      expect(e["OCR'd Date"]).toBe(b.ocrDate ?? '');
    }
  });

  it('lists books in index order per list and counts them without materialising', () => {
    const l = lib(5000, 9);
    const converted = [...l.listing('_converted')];
    expect(converted.length).toBe(l.listSize('_converted'));
    expect(converted.every((b) => b.archiveAvailable)).toBe(true);
    for (let i = 1; i < converted.length; i++) expect(converted[i]!.index).toBeGreaterThan(converted[i - 1]!.index);
    const failed = [...l.listing('_failed')];
    expect(failed.length).toBeGreaterThan(50);
    expect(failed.every((b) => b.conversionFailure !== null)).toBe(true);
    const big = lib(1_000_000, 9);
    expect(big.listSize('_converted')).toBeGreaterThan(350_000);
    expect(big.listSize('_all_books')).toBe(1_000_000);
  });
});
