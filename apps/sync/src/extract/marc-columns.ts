import type { MarcRecord } from './marc-record.js';

/** The catalogue's MARC columns filled from a record (without `marc_extraction_timestamp`). */
export const MARC_COLUMN_NAMES = [
  'marc_control_number',
  'marc_date_type',
  'marc_date_1',
  'marc_date_2',
  'marc_language',
  'marc_lccn',
  'marc_lc_call_number',
  'marc_isbn',
  'marc_oclc_numbers',
  'marc_title',
  'marc_title_remainder',
  'marc_author_personal',
  'marc_author_corporate',
  'marc_author_meeting',
  'marc_subjects',
  'marc_genres',
  'marc_general_note',
] as const;

export type MarcColumnName = (typeof MARC_COLUMN_NAMES)[number];
export type MarcColumns = Record<MarcColumnName, string | null>;

/** 008 must be at least this long for its date/language positions to be read. */
const MIN_008_LENGTH = 40;

/**
 * Maps a MARC record to the catalogue columns (reference 6.3): values trimmed, empty -> null;
 * "first" = first matching subfield anywhere in the record, "all" = every non-empty match joined
 * with ", ". Dates from 008 are kept only when they are real years (see `marcYear`), which fixes
 * the earlier tool's filter that dropped every year containing "999".
 */
export function marcColumnsFromRecord(record: MarcRecord): MarcColumns {
  const fixed = record.controlfields.find((field) => field.tag === '008')?.value ?? '';
  const has008 = fixed.length >= MIN_008_LENGTH;
  const first = (tag: string, code: string): string | null => subfieldValues(record, tag, code)[0] ?? null;
  const all = (tag: string, code: string, clean: (value: string) => string = (v) => v): string | null => {
    const values = subfieldValues(record, tag, code)
      .map(clean)
      .filter((value) => value !== '');
    return values.length === 0 ? null : values.join(', ');
  };
  const oclc = subfieldValues(record, '035', 'a').filter((value) => value.includes('(OCoLC)'));

  return {
    marc_control_number: nonEmpty(record.controlfields.find((field) => field.tag === '001')?.value),
    marc_date_type: has008 ? nonEmpty(fixed.charAt(6)) : null,
    marc_date_1: has008 ? marcYear(fixed.slice(7, 11)) : null,
    marc_date_2: has008 ? marcYear(fixed.slice(11, 15)) : null,
    marc_language: has008 ? nonEmpty(fixed.slice(35, 38)) : null,
    marc_lccn: first('010', 'a'),
    marc_lc_call_number: all('050', 'a'),
    marc_isbn: all('020', 'a'),
    marc_oclc_numbers: oclc.length === 0 ? null : oclc.join(', '),
    marc_title: first('245', 'a'),
    marc_title_remainder: first('245', 'b'),
    marc_author_personal: first('100', 'a'),
    marc_author_corporate: first('110', 'a'),
    marc_author_meeting: first('111', 'a'),
    marc_subjects: all('650', 'a', stripTrailingPeriods),
    marc_genres: all('655', 'a', stripTrailingPeriods),
    marc_general_note: all('500', 'a'),
  };
}

/**
 * A 008 date slot as a year: exactly four ASCII digits and not `9999` (MARC's "open/unknown"
 * end date). `1999`, `1790` are kept; `9999`, `uuuu`, `19uu`, blanks -> null.
 */
export function marcYear(slot: string): string | null {
  return /^[0-9]{4}$/.test(slot) && slot !== '9999' ? slot : null;
}

/** Trimmed non-empty subfield values of `tag $code`, in document order. */
function subfieldValues(record: MarcRecord, tag: string, code: string): string[] {
  const values: string[] = [];
  for (const field of record.datafields) {
    if (field.tag !== tag) continue;
    for (const subfield of field.subfields) {
      if (subfield.code !== code) continue;
      const value = subfield.value.trim();
      if (value !== '') values.push(value);
    }
  }
  return values;
}

function stripTrailingPeriods(value: string): string {
  return value.replace(/\.+$/, '').trim();
}

function nonEmpty(value: string | undefined): string | null {
  const trimmed = value?.trim() ?? '';
  return trimmed === '' ? null : trimmed;
}
