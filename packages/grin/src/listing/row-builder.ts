import type { ListingRow } from '../types.js';
import { columnRole, isLinkColumn, type ColumnRole } from './column-roles.js';
import { grinDateToIso } from './grin-date.js';
import { normaliseHeaderKey } from './header-key.js';

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
 * Maps one data row (reference 1.5; first matching column wins, empty values skipped).
 * The barcode comes from the Barcode cell, else the Filename cell (`.tar.gz.gpg` stripped), else
 * the checkbox value. Returns null when the row has no barcode.
 */
export function buildListingRow(
  columns: readonly ListingColumn[],
  cellTexts: readonly string[],
  cellHrefs: readonly (string | null)[],
  checkboxValue: string | null,
): ListingRow | null {
  let barcode = '';
  let filenameBarcode = '';
  const row: ListingRow = {
    barcode: '',
    title: '',
    grinState: null,
    scannedDate: null,
    analyzedDate: null,
    convertedDate: null,
    downloadedDate: null,
    processedDate: null,
    ocrDate: null,
    googleBooksLink: '',
    extra: {},
  };
  const n = Math.min(columns.length, cellTexts.length);
  for (let i = 0; i < n; i += 1) {
    const column = columns[i] as ListingColumn;
    if (column.role === 'skip') continue;
    const text = (cellTexts[i] as string).trim();
    const value = column.link ? (cellHrefs[i] ?? text) : text;
    if (value === '') continue;
    switch (column.role) {
      case 'barcode':
        if (barcode === '') barcode = text;
        break;
      case 'filename':
        if (filenameBarcode === '' && text.endsWith(ARCHIVE_SUFFIX)) filenameBarcode = text.slice(0, -ARCHIVE_SUFFIX.length).trim();
        break;
      case 'title':
        if (row.title === '') row.title = value;
        break;
      case 'googleBooksLink':
        if (row.googleBooksLink === '' && value.includes('http')) row.googleBooksLink = value;
        break;
      case 'grinState':
        row.grinState ??= value;
        break;
      case 'extra':
        if (!(column.key in row.extra)) row.extra[column.key] = value;
        break;
      default:
        // Date columns.
        row[column.role] ??= grinDateToIso(value);
    }
  }
  row.barcode = barcode !== '' ? barcode : filenameBarcode !== '' ? filenameBarcode : (checkboxValue ?? '');
  return row.barcode === '' ? null : row;
}
