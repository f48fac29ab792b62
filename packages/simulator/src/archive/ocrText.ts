import { escapeHtml } from '../listing/listingColumns.js';
import { hash3, Rng } from '../library/random.js';

const WORDS = [
  'the', 'of', 'and', 'to', 'in', 'that', 'which', 'society', 'river', 'natural', 'history', 'ſome', 'præface',
  'über', 'café', 'naïve', 'Œuvres', 'façade', 'Zürich', 'señor', 'Ångström', '—', '“quoted”', 'æther', 'résumé',
  'commonwealth', 'observations', 'experiment', 'water', 'mountain', 'letter', 'Boston', 'Paris', 'Leipzig',
  'volume', 'chapter', 'page', '&', 'etc.', 'i.e.', '1776', '1842,', '§', '½', 'Москва', '東京', 'λόγος',
];
const OCR_SALT = 0x0c4;

/** Deterministic OCR text of one page (non-ASCII, ligatures and symbols included). */
export function ocrPageText(key: number, bookIndex: number, page: number): string {
  const rng = new Rng(hash3(key, bookIndex, OCR_SALT + page));
  const lines: string[] = [`${page}`];
  const lineCount = rng.range(12, 30);
  for (let l = 0; l < lineCount; l++) {
    const words: string[] = [];
    for (let w = rng.range(6, 12); w > 0; w--) words.push(rng.pick(WORDS));
    const line = words.join(' ');
    lines.push(l === 0 ? line.charAt(0).toUpperCase() + line.slice(1) : line);
  }
  return `${lines.join('\n')}\n`;
}

/** hOCR rendering of a page's text. */
export function hocrPage(text: string, page: number): string {
  let y = 100;
  const lines = text
    .split('\n')
    .filter((line) => line !== '')
    .map((line, i) => {
      y += 90;
      return `   <span class="ocr_line" id="line_${page}_${i + 1}" title="bbox 150 ${y} 2300 ${y + 70}">${escapeHtml(line)}</span>`;
    });
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n' +
    '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">\n<head>\n<title></title>\n' +
    '<meta http-equiv="Content-Type" content="text/html;charset=utf-8" />\n' +
    '<meta name="ocr-system" content="grin-simulator" />\n<meta name="ocr-capabilities" content="ocr_page ocr_line" />\n' +
    `</head>\n<body>\n  <div class="ocr_page" id="page_${page}" title="bbox 0 0 2550 3300; ppageno ${page - 1}">\n` +
    `${lines.join('\n')}\n  </div>\n</body>\n</html>\n`
  );
}
