import { imageBytes, metsXml, pageName, type RecordSpec, type TestEntry } from './archive-fixtures.js';

/** The MARC record of the test volume. */
export const RECORD: RecordSpec = {
  controlfields: [
    ['001', ' 000123456 '],
    ['008', '750727c17909999gw br p       0   a0ger d'],
  ],
  datafields: [
    ['010', [['a', '  75012345 ']]],
    ['020', [['a', '0123456789']]],
    ['020', [['a', '9780123456786 (pbk.)']]],
    ['035', [['a', '(OCoLC)12345']]],
    ['035', [['a', '(DE-101)99999']]],
    ['035', [['a', '(OCoLC)ocm67890']]],
    ['050', [['a', 'QC1'], ['b', '.A6']]],
    ['100', [['a', 'Müller, Hans,']]],
    ['245', [['a', 'Annalen der Physik.'], ['b', 'eine Zeitschrift & mehr <1>']]],
    ['500', [['a', 'First note.']]],
    ['500', [['a', 'Second note']]],
    ['650', [['a', 'Physics..']]],
    ['650', [['a', 'Periodicals.']]],
    ['655', [['a', 'Zeitschrift.']]],
  ],
};

/** The columns RECORD must give (reference 6.3, real years kept). */
export const EXPECTED_COLUMNS = {
  marc_control_number: '000123456',
  marc_date_type: 'c',
  marc_date_1: '1790',
  marc_date_2: null,
  marc_language: 'ger',
  marc_lccn: '75012345',
  marc_lc_call_number: 'QC1',
  marc_isbn: '0123456789, 9780123456786 (pbk.)',
  marc_oclc_numbers: '(OCoLC)12345, (OCoLC)ocm67890',
  marc_title: 'Annalen der Physik.',
  marc_title_remainder: 'eine Zeitschrift & mehr <1>',
  marc_author_personal: 'Müller, Hans,',
  marc_author_corporate: null,
  marc_author_meeting: null,
  marc_subjects: 'Physics, Periodicals',
  marc_genres: 'Zeitschrift',
  marc_general_note: 'First note., Second note',
};

export const PAGES: Record<number, string> = {
  1: 'Title page\n',
  2: 'Zweite Seite — Ünïcödé “quotes” and a \\ backslash\ttab',
  4: 'Page four after a gap',
  5: '',
  6: 'last page 😀\n\n',
};

/** A GRIN-like volume in `dir/`: METS, then per page .txt, .html, .jp2; pages 3 missing. */
export function volumeEntries(dir: string, order: number[]): TestEntry[] {
  const entries: TestEntry[] = [{ name: `${dir}/`, type: 'directory' }, { name: `${dir}/39015000000001.xml`, content: metsXml(RECORD) }];
  for (const page of order) {
    entries.push({ name: `${dir}/${pageName(page, 'txt')}`, content: PAGES[page]! });
    entries.push({ name: `${dir}/${pageName(page, 'html')}`, content: `<html><body class="ocr_page">${page}</body></html>` });
    entries.push({ name: `${dir}/${pageName(page, 'jp2')}`, content: imageBytes(20_000 + page) });
  }
  entries.push({ name: `${dir}/checksum.md5`, content: 'abc  00000001.jp2\n' });
  return entries;
}

/** The OCR lines of the volume: page 3 is missing (a gap). */
export const EXPECTED_LINES = ['Title page\n', PAGES[2]!, '', 'Page four after a gap', '', 'last page 😀\n\n'];
