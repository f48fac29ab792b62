/**
 * What the extraction stages did in a run, for the progress display, the summary and the session
 * counters (`marc:*`, `ocr:*` keys, grouped by kind in process_summary.json's `by_reason`).
 */
export class ExtractionCounts {
  /** Volumes whose MARC record was extracted into the catalogue. */
  marcExtracted = 0;
  /** Volumes without a MARC record (recorded `marc_extraction`/`no_marc`; not a failure). */
  marcMissing = 0;
  /** Volumes whose OCR JSONL was stored. */
  ocrExtracted = 0;
  /** Volumes without any page text (recorded `text_extraction`/`no_ocr`; not a failure). */
  ocrMissing = 0;
  /** Pages (JSONL lines) stored. */
  ocrPages = 0;
  /** Failed extractions by error code, e.g. `archive_unsafe`, `xml_unsafe`, `storage_write_failed`. */
  readonly failed = new Map<string, number>();

  fail(code: string): void {
    this.failed.set(code, (this.failed.get(code) ?? 0) + 1);
  }

  get failures(): number {
    let n = 0;
    for (const v of this.failed.values()) n += v;
    return n;
  }

  /** Session counter keys (zero counters left out). */
  sessionCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    const put = (key: string, value: number): void => {
      if (value > 0) out[key] = value;
    };
    put('marc:extracted', this.marcExtracted);
    put('marc:no_marc', this.marcMissing);
    put('ocr:extracted', this.ocrExtracted);
    put('ocr:no_ocr', this.ocrMissing);
    put('ocr:pages', this.ocrPages);
    for (const [code, n] of this.failed) put(`extract_failed:${code}`, n);
    return out;
  }
}
