import type { ListingRow } from '../types.js';
import { columnRole, isLinkColumn, type ColumnRole } from './column-roles.js';
import { trimmedGrinDateToIso } from './grin-date.js';
import { normaliseHeaderKey } from './header-key.js';
import type { RowPacker } from './packed-rows.js';

const ARCHIVE_SUFFIX = '.tar.gz.gpg';

/** A listing column as decided from the heading row. */
export interface ListingColumn {
  key: string;
  role: ColumnRole;
  link: boolean;
}

/** Columns from the heading row: the `span.hd3` text of each cell, else the cell's text. */
export function headingColumns(cellTexts: readonly string[], cellHd3: readonly (string | null)[]): ListingColumn[] {
  return cellTexts.map((text, i) => {
    const key = normaliseHeaderKey(cellHd3[i] ?? text);
    const role = columnRole(key);
    return { key, role, link: isLinkColumn(key, role) };
  });
}

/**
 * Maps the cells of one data row as they close (reference 1.5; first matching column wins,
 * empty values skipped), so no per-row arrays of cell texts are built. The barcode comes from the
 * Barcode cell, else the Filename cell (`.tar.gz.gpg` stripped), else the checkbox value.
 */
export class RowAccumulator {
  private barcode = '';
  private filenameBarcode = '';
  private title = '';
  private grinState: string | null = null;
  private scannedDate: string | null = null;
  private analyzedDate: string | null = null;
  private convertedDate: string | null = null;
  private downloadedDate: string | null = null;
  private processedDate: string | null = null;
  private ocrDate: string | null = null;
  private googleBooksLink = '';
  private extra: Record<string, string> | null = null;

  reset(): void {
    this.barcode = '';
    this.filenameBarcode = '';
    this.title = '';
    this.grinState = null;
    this.scannedDate = null;
    this.analyzedDate = null;
    this.convertedDate = null;
    this.downloadedDate = null;
    this.processedDate = null;
    this.ocrDate = null;
    this.googleBooksLink = '';
    this.extra = null;
  }

  /** One cell: its column, its text as parsed (untrimmed) and the href of its first link. */
  cell(column: ListingColumn, rawText: string, href: string | null): void {
    const role = column.role;
    if (role === 'skip') return;
    const text = rawText.trim();
    const value = column.link ? (href ?? text) : text;
    if (value === '') return;
    switch (role) {
      case 'barcode':
        if (this.barcode === '') this.barcode = text;
        return;
      case 'filename':
        if (this.filenameBarcode === '' && text.endsWith(ARCHIVE_SUFFIX)) this.filenameBarcode = text.slice(0, -ARCHIVE_SUFFIX.length).trim();
        return;
      case 'title':
        if (this.title === '') this.title = value;
        return;
      case 'googleBooksLink':
        if (this.googleBooksLink === '' && value.includes('http')) this.googleBooksLink = value;
        return;
      case 'grinState':
        this.grinState ??= value;
        return;
      case 'scannedDate':
        this.scannedDate ??= trimmedGrinDateToIso(value);
        return;
      case 'analyzedDate':
        this.analyzedDate ??= trimmedGrinDateToIso(value);
        return;
      case 'convertedDate':
        this.convertedDate ??= trimmedGrinDateToIso(value);
        return;
      case 'downloadedDate':
        this.downloadedDate ??= trimmedGrinDateToIso(value);
        return;
      case 'processedDate':
        this.processedDate ??= trimmedGrinDateToIso(value);
        return;
      case 'ocrDate':
        this.ocrDate ??= trimmedGrinDateToIso(value);
        return;
      default: {
        // 'extra'
        const extra = (this.extra ??= {});
        if (!(column.key in extra)) extra[column.key] = value;
      }
    }
  }

  /** The row's barcode: the Barcode cell, else the Filename cell, else the checkbox ('' = none). */
  private rowBarcode(checkboxValue: string | null): string {
    return this.barcode !== '' ? this.barcode : this.filenameBarcode !== '' ? this.filenameBarcode : (checkboxValue ?? '');
  }

  /** Adds the row to a packer instead of building an object; false when it has no barcode. */
  finishPacked(checkboxValue: string | null, packer: RowPacker): boolean {
    const barcode = this.rowBarcode(checkboxValue);
    if (barcode === '') return false;
    packer.add(
      barcode, this.title, this.grinState, this.scannedDate, this.analyzedDate, this.convertedDate, this.downloadedDate,
      this.processedDate, this.ocrDate, this.googleBooksLink, this.extra,
    );
    return true;
  }

  /** The row (null when it has no barcode); call {@link reset} before the next one. */
  finish(checkboxValue: string | null): ListingRow | null {
    const barcode = this.rowBarcode(checkboxValue);
    if (barcode === '') return null;
    return {
      barcode,
      title: this.title,
      grinState: this.grinState,
      scannedDate: this.scannedDate,
      analyzedDate: this.analyzedDate,
      convertedDate: this.convertedDate,
      downloadedDate: this.downloadedDate,
      processedDate: this.processedDate,
      ocrDate: this.ocrDate,
      googleBooksLink: this.googleBooksLink,
      extra: this.extra ?? {},
    };
  }
}
