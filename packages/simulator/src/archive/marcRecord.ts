import { hash3, Rng } from '../library/random.js';
import type { MarcDatafield, MarcRecord, SimulatedBook } from '../types.js';

const MARC_SALT = 0x3a4c;

/** 008 date variants, covering reference 6.3 edge cases (1999, 9999, uuuu, 19uu, blanks). */
const DATE_VARIANTS: readonly (readonly [string, string, string])[] = [
  ['s', 'YEAR', '    '],
  ['s', '1999', '    '],
  ['m', '1790', '9999'],
  ['c', '1790', '9999'],
  ['d', 'YEAR', '1999'],
  ['r', '1999', 'YEAR'],
  ['q', '19uu', '19uu'],
  ['n', 'uuuu', 'uuuu'],
  ['u', '18uu', 'uuuu'],
  [' ', '    ', '    '],
  ['t', 'YEAR', 'YEAR'],
  ['e', 'YEAR', '0412'],
];
const LANGUAGES = ['eng', 'eng', 'eng', 'ger', 'fre', 'lat', 'rus', 'chi', 'jpn', 'spa', 'ita', '   ', 'und'];
const PLACES = ['mau', 'nyu', 'enk', 'gw ', 'fr ', 'xxu', 'ru ', 'ja '];
const PERSONS = ['Smith, John,', 'Müller, Johann Georg,', 'Dupont, Anne-Marie', "O'Neill, Séamus,", 'Tolstoy, Leo,', 'Zhang, Wei', 'Ōtsuka, Hisao'];
const CORPORATE = ['Royal Society (Great Britain).', 'Harvard University.', 'Massachusetts. General Court.', 'Société géologique de France.'];
const MEETINGS = ['International Congress of Mathematicians', 'Conference on Weights & Measures', 'Internationaler Amerikanisten-Kongress'];
const SUBJECTS = ['Physics.', 'Botany', 'Massachusetts', 'Chemistry, Organic.', 'Natural history...', 'Sermons, American.', 'Education', 'Geology.', 'Indians of North America.'];
const GENRES = ['Periodicals.', 'Electronic books', 'Sermons.', 'Early works to 1800.', 'Maps..'];
const NOTES = ['Includes index.', 'Title from cover.', 'Bound with: Essays, & other works.', 'Text in German; summaries in English, French.', 'Imperfect: pages 13-14 wanting.'];

/** A MARC record exercising every field of reference 6.3, seeded per book. */
export function generateMarcRecord(key: number, book: SimulatedBook): MarcRecord {
  const rng = new Rng(hash3(key, book.index, MARC_SALT));
  const year = String(rng.range(1750, 1980));
  const [type, d1, d2] = rng.pick(DATE_VARIANTS);
  const fill = (v: string): string => (v === 'YEAR' ? year : v);
  const entered = `${String(rng.range(70, 99)).padStart(2, '0')}${String(rng.range(1, 12)).padStart(2, '0')}${String(rng.range(1, 28)).padStart(2, '0')}`;
  let f008 = `${entered}${type}${fill(d1)}${fill(d2)}${rng.pick(PLACES)}${'     r     000 0 '}${rng.pick(LANGUAGES)} d`;
  // A few records carry a truncated 008 (real catalogues have them): all four 008 columns null.
  if (rng.chance(0.03)) f008 = f008.slice(0, 30);

  const controlNumber = rng.chance(0.5) ? `99${String(rng.next()).padStart(10, '0')}3941` : `ocm${String(rng.int(99_999_999)).padStart(8, '0')}`;
  const datafields: MarcDatafield[] = [];
  const field = (tag: string, ind1: string, ind2: string, ...pairs: [string, string][]): void => {
    datafields.push({ tag, ind1, ind2, subfields: pairs.map(([code, value]) => ({ code, value })) });
  };

  // LCCN is traditionally space-padded: extraction must trim.
  if (rng.chance(0.4)) field('010', ' ', ' ', ['a', `   ${String(rng.range(1, 99)).padStart(2, '0')}${String(rng.int(999_999)).padStart(6, '0')} `]);
  for (let i = rng.int(3); i > 0; i--) {
    field('020', ' ', ' ', ['a', rng.chance(0.5) ? isbn10(rng) : `${isbn13(rng)} (pbk.)`], ['c', '$12.00']);
  }
  if (rng.chance(0.2)) field('020', ' ', ' ', ['z', isbn10(rng)]);
  field('035', ' ', ' ', ['a', `(MH)${String(rng.int(99_999_999)).padStart(9, '0')}HVD`]);
  for (let i = rng.int(3); i > 0; i--) field('035', ' ', ' ', ['a', `(OCoLC)${rng.chance(0.5) ? 'ocm' : ''}${rng.range(1000, 99_999_999)}`]);
  field('040', ' ', ' ', ['a', 'DLC'], ['c', 'DLC'], ['d', 'MH']);
  for (let i = rng.int(3); i > 0; i--) field('050', '0', '0', ['a', `Q${rng.pick(['C', 'H', 'K', 'E'])}${rng.range(1, 999)}`], ['b', `.${String.fromCharCode(65 + rng.int(26))}${rng.range(1, 99)}`]);

  const mainEntry = rng.int(10);
  if (mainEntry < 6) field('100', '1', ' ', ['a', rng.pick(PERSONS)], ['d', `${Number(year) - 40}-${year}.`]);
  else if (mainEntry < 8) field('110', '2', ' ', ['a', rng.pick(CORPORATE)]);
  else if (mainEntry < 9) field('111', '2', ' ', ['a', rng.pick(MEETINGS)], ['n', '(5th :'], ['d', `${year})`]);

  const [titleA, titleB] = splitTitle(book.title, rng);
  const title: [string, string][] = [['a', titleA]];
  if (titleB !== undefined) title.push(['b', titleB]);
  title.push(['c', 'edited by the Society.']);
  field('245', '1', '0', ...title);
  field('260', ' ', ' ', ['a', rng.pick(['Boston :', 'Leipzig :', 'Paris :', 'London :'])], ['b', 'Little, Brown & Co.,'], ['c', `${year}.`]);
  field('300', ' ', ' ', ['a', `xii, ${rng.range(20, 900)} p. :`], ['b', 'ill. ;'], ['c', '24 cm.']);
  for (let i = rng.int(4); i > 0; i--) field('500', ' ', ' ', ['a', rng.pick(NOTES)]);
  for (let i = rng.int(5); i > 0; i--) {
    const subject: [string, string][] = [['a', rng.pick(SUBJECTS)]];
    if (rng.chance(0.3)) subject.push(['x', 'History.']);
    field('650', ' ', '0', ...subject);
  }
  for (let i = rng.int(3); i > 0; i--) field('655', ' ', '7', ['a', rng.pick(GENRES)], ['2', 'lcgft']);

  return {
    leader: `${String(rng.range(600, 4000)).padStart(5, '0')}cam a22${String(rng.range(150, 500)).padStart(5, '0')} a 4500`,
    controlfields: { '001': controlNumber, '003': 'MH', '005': `20${String(rng.range(10, 24))}0312101512.0`, '008': f008 },
    datafields,
  };
}

/** 245 $a / $b from the listing title when it has one (`Main : subtitle`), else a stand-in. */
function splitTitle(title: string, rng: Rng): [string, string | undefined] {
  if (title === '') return [rng.pick(['Annalen der Physik.', 'Untitled pamphlet /', 'Report of the Commissioners.']), undefined];
  const colon = title.indexOf(' : ');
  if (colon > 0) return [`${title.slice(0, colon)} :`, `${title.slice(colon + 3)} /`];
  return [rng.chance(0.5) ? `${title}.` : title, undefined];
}

function isbn10(rng: Rng): string {
  let digits = '';
  for (let i = 0; i < 9; i++) digits += String(rng.int(10));
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (10 - i) * Number(digits[i]);
  const check = (11 - (sum % 11)) % 11;
  return digits + (check === 10 ? 'X' : String(check));
}

function isbn13(rng: Rng): string {
  let digits = '978';
  for (let i = 0; i < 9; i++) digits += String(rng.int(10));
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(digits[i]) * (i % 2 === 0 ? 1 : 3);
  return digits + String((10 - (sum % 10)) % 10);
}
