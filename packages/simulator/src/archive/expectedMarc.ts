import type { MarcRecord } from '../types.js';

/** Catalogue columns per reference 6.3 (without marc_extraction_timestamp). */
export const MARC_COLUMNS = [
  'marc_control_number', 'marc_date_type', 'marc_date_1', 'marc_date_2', 'marc_language', 'marc_lccn',
  'marc_lc_call_number', 'marc_isbn', 'marc_oclc_numbers', 'marc_title', 'marc_title_remainder',
  'marc_author_personal', 'marc_author_corporate', 'marc_author_meeting', 'marc_subjects', 'marc_genres',
  'marc_general_note',
] as const;

/**
 * What an extractor following reference 6.3 must produce, except the 999 quirk: a 008 date is
 * kept when it is exactly four digits and not `9999`. Values trimmed; multi-valued columns
 * joined with ", "; absent -> null.
 */
export function expectedMarcColumns(record: MarcRecord): Record<string, string | null> {
  const values = (tag: string, code: string): string[] => {
    const out: string[] = [];
    for (const field of record.datafields) {
      if (field.tag !== tag) continue;
      for (const sub of field.subfields) {
        const value = sub.value.trim();
        if (sub.code === code && value !== '') out.push(value);
      }
    }
    return out;
  };
  const first = (tag: string, code: string): string | null => values(tag, code)[0] ?? null;
  const all = (list: string[]): string | null => (list.length === 0 ? null : list.join(', '));
  const stripPeriods = (list: string[]): string[] => list.map((v) => v.replace(/\.+$/, ''));

  const f008 = record.controlfields['008'] ?? '';
  const long = f008.length >= 40;
  const date = (value: string): string | null => (/^\d{4}$/.test(value) && value !== '9999' ? value : null);
  const dateType = long ? (f008[6] as string) : ' ';
  const language = long ? f008.slice(35, 38) : '   ';
  const controlNumber = record.controlfields['001']?.trim() ?? '';

  return {
    marc_control_number: controlNumber === '' ? null : controlNumber,
    marc_date_type: dateType.trim() === '' ? null : dateType,
    marc_date_1: long ? date(f008.slice(7, 11)) : null,
    marc_date_2: long ? date(f008.slice(11, 15)) : null,
    marc_language: language === '   ' ? null : language,
    marc_lccn: first('010', 'a'),
    marc_lc_call_number: all(values('050', 'a')),
    marc_isbn: all(values('020', 'a')),
    marc_oclc_numbers: all(values('035', 'a').filter((v) => v.includes('(OCoLC)'))),
    marc_title: first('245', 'a'),
    marc_title_remainder: first('245', 'b'),
    marc_author_personal: first('100', 'a'),
    marc_author_corporate: first('110', 'a'),
    marc_author_meeting: first('111', 'a'),
    marc_subjects: all(stripPeriods(values('650', 'a'))),
    marc_genres: all(stripPeriods(values('655', 'a'))),
    marc_general_note: all(values('500', 'a')),
  };
}
