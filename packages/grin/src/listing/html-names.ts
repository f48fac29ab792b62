import type { ChunkText } from './chunk-text.js';

// The few tag and attribute names the listing parser reacts to, recognised from the tokenizer's
// positions without slicing or lower-casing a string per tag (a 10,000-row page has ~250,000).

export const TAG_OTHER = 0;
export const TAG_TABLE = 1;
export const TAG_TR = 2;
export const TAG_CELL = 3; // td or th
export const TAG_A = 4;
export const TAG_SPAN = 5;
export const TAG_INPUT = 6;
export const TAG_IMG = 7;

export const ATTR_OTHER = 0;
export const ATTR_CLASS = 1;
export const ATTR_HREF = 2;
export const ATTR_TYPE = 3;
export const ATTR_VALUE = 4;
export const ATTR_ALT = 5;

/** True when the text at `start` spells `lower` (ASCII case-insensitively). */
function spells(text: ChunkText, start: number, lower: string): boolean {
  for (let i = 1; i < lower.length; i += 1) if (text.lowerCodeAt(start + i) !== lower.charCodeAt(i)) return false;
  return true;
}

/** The TAG_ constant of the tag name between `start` and `end`. */
export function tagAt(text: ChunkText, start: number, end: number): number {
  const first = text.lowerCodeAt(start);
  switch (end - start) {
    case 1:
      return first === 97 ? TAG_A : TAG_OTHER; // a
    case 2: {
      if (first !== 116) return TAG_OTHER; // t
      const second = text.lowerCodeAt(start + 1);
      if (second === 100 || second === 104) return TAG_CELL; // td, th
      return second === 114 ? TAG_TR : TAG_OTHER; // tr
    }
    case 3:
      return first === 105 && spells(text, start, 'img') ? TAG_IMG : TAG_OTHER;
    case 4:
      return first === 115 && spells(text, start, 'span') ? TAG_SPAN : TAG_OTHER;
    case 5:
      if (first === 116) return spells(text, start, 'table') ? TAG_TABLE : TAG_OTHER;
      if (first === 105) {
        if (spells(text, start, 'input')) return TAG_INPUT;
        return spells(text, start, 'image') ? TAG_IMG : TAG_OTHER; // HTML's alias of img
      }
      return TAG_OTHER;
    default:
      return TAG_OTHER;
  }
}

/** The ATTR_ constant of the attribute name between `start` and `end`. */
export function attributeAt(text: ChunkText, start: number, end: number): number {
  const first = text.lowerCodeAt(start);
  switch (end - start) {
    case 3:
      return first === 97 && spells(text, start, 'alt') ? ATTR_ALT : ATTR_OTHER;
    case 4:
      if (first === 104) return spells(text, start, 'href') ? ATTR_HREF : ATTR_OTHER;
      return first === 116 && spells(text, start, 'type') ? ATTR_TYPE : ATTR_OTHER;
    case 5:
      if (first === 99) return spells(text, start, 'class') ? ATTR_CLASS : ATTR_OTHER;
      return first === 118 && spells(text, start, 'value') ? ATTR_VALUE : ATTR_OTHER;
    default:
      return ATTR_OTHER;
  }
}
