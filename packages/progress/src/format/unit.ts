import { formatCount } from './format-count.js';

/** A counted unit, e.g. `{ singular: 'book', plural: 'books' }`. */
export interface Unit {
  readonly singular: string;
  readonly plural: string;
}

/** What callers may pass: a singular noun (plural derived) or both forms. */
export type UnitInput = string | { readonly singular: string; readonly plural: string };

/** The default unit. */
export const ITEM_UNIT: Unit = { singular: 'item', plural: 'items' };

/**
 * Normalises a unit. For a plain string the plural follows the regular
 * English rules (`book`->`books`, `box`->`boxes`, `entry`->`entries`); pass
 * both forms for anything irregular. A multi-word unit pluralises its last
 * word (`barcode record` -> `barcode records`).
 */
export function toUnit(input: UnitInput | undefined): Unit {
  if (input === undefined) return ITEM_UNIT;
  if (typeof input !== 'string') return { singular: input.singular, plural: input.plural };
  return { singular: input, plural: pluralForm(input) };
}

/** Regular English plural of a noun (or of the last word of a phrase). */
export function pluralForm(noun: string): string {
  if (noun === '') return noun;
  if (/(s|x|z|ch|sh)$/i.test(noun)) return `${noun}es`;
  if (/[^aeiou]y$/i.test(noun)) return `${noun.slice(0, -1)}ies`;
  return `${noun}s`;
}

/**
 * `count` followed by the right form of `unit`, count grouped:
 * `1 book`, `0 books`, `1,234 books`.
 */
export function pluralize(count: number, unit: UnitInput | Unit): string {
  return `${formatCount(count)} ${unitLabel(count, unit)}`;
}

/** The form of `unit` that goes with `count` (singular only for exactly 1). */
export function unitLabel(count: number, unit: UnitInput | Unit): string {
  const u = typeof unit === 'string' ? toUnit(unit) : unit;
  return count === 1 ? u.singular : u.plural;
}
