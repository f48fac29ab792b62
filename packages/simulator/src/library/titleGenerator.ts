import type { Rng } from './random.js';

const ADJECTIVES = [
  'Complete', 'Collected', 'Natural', 'Early', 'Modern', 'Ancient', 'Practical', 'Elementary',
  'Illustrated', 'Annotated', 'Critical', 'General', 'Historical', 'New', 'Select', 'Popular',
];
const NOUNS = [
  'History', 'Works', 'Letters', 'Sermons', 'Essays', 'Poems', 'Observations', 'Memoirs',
  'Travels', 'Principles', 'Elements', 'Proceedings', 'Transactions', 'Report', 'Survey',
  'Treatise', 'Dictionary', 'Grammar', 'Catalogue', 'Journal', 'Annals', 'Studies',
];
const TOPICS = [
  'Massachusetts', 'the Commonwealth', 'Natural Philosophy', 'Political Economy', 'Botany',
  'the Indian Tribes', 'Chemistry', 'the Civil War', 'Electricity', 'Harvard College',
  'the English Language', 'Agriculture', 'Navigation', 'New England', 'Medicine', 'Geology',
  'the Law of Nations', 'Greek Antiquities', 'Boston', 'the Sandwich Islands',
];
const FOREIGN = [
  'Über die Natur der Dinge', 'Annalen der Physik', 'Histoire générale des voyages',
  'Mémoires de l’Académie royale', 'Œuvres complètes', 'Gramática de la lengua castellana',
  'Dziennik podróży', 'Révolution française', 'Die Leiden des jungen Werthers',
  'Война и мир', 'Братья Карамазовы', 'Ιστορία της Ελλάδος', 'Ἰλιάς',
  '中国哲学史', '源氏物語', '東京帝國大學紀要', 'تاريخ الأدب العربي', 'תולדות עם ישראל',
  'Tiếng Việt phổ thông', 'Ålands kulturhistoria', 'Søren Kierkegaards Papirer',
];
const SUBTITLES = [
  'with notes and illustrations', 'in two volumes', 'a new edition, revised', 'from the earliest times',
  'being a selection', 'to which is added an appendix', 'for the use of schools', 'comprising 1,200 plates',
];
const ODDITIES = [
  'Tom & Jerry; or, "Life in London"', 'x < y: notes on inequalities', 'Smith, Jones & Co.\'s "Almanack"',
  '"Hear, hear!" — speeches & addresses', 'Proceedings <abridged> & minutes', 'A & B, or, the "key" to C',
  'Naïve café society, 1890–1910', 'O\'Brien\'s <Irish> songs & ballads',
];

/** Synthetic titles with the awkward characters real catalogues contain. */
export function generateTitle(rng: Rng): string {
  const roll = rng.int(1000);
  if (roll < 2) return longTitle(rng);
  if (roll < 90) return rng.pick(ODDITIES);
  if (roll < 240) {
    const base = rng.pick(FOREIGN);
    return rng.chance(0.3) ? `${base} : ${rng.pick(SUBTITLES)}` : base;
  }
  let title: string;
  switch (roll % 4) {
    case 0:
      title = `The ${rng.pick(ADJECTIVES)} ${rng.pick(NOUNS)} of ${rng.pick(TOPICS)}`;
      break;
    case 1:
      title = `${rng.pick(NOUNS)} on ${rng.pick(TOPICS)}, ${rng.pick(TOPICS)} and ${rng.pick(TOPICS)}`;
      break;
    case 2:
      title = `${rng.pick(ADJECTIVES)} ${rng.pick(NOUNS)}. Vol. ${rng.range(1, 40)}`;
      break;
    default:
      title = `${rng.pick(NOUNS)} of the ${rng.pick(ADJECTIVES)} Society of ${rng.pick(TOPICS)}, ${rng.range(1750, 1925)}`;
  }
  return rng.chance(0.25) ? `${title} : ${rng.pick(SUBTITLES)}` : title;
}

/** A newline-free title of a few thousand characters (seen in real catalogues for serials). */
function longTitle(rng: Rng): string {
  const parts: string[] = [];
  let length = 0;
  const target = rng.range(1500, 4000);
  while (length < target) {
    const part = `${rng.pick(NOUNS)} of ${rng.pick(TOPICS)} (${rng.pick(FOREIGN)})`;
    parts.push(part);
    length += part.length + 2;
  }
  return `Transactions, ${parts.join(', ')}`;
}
