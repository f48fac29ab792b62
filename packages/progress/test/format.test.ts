import { describe, expect, it } from 'vitest';
import {
  formatByteRate, formatBytes, formatCount, formatDuration, formatDurationCoarse, formatPercent, formatRate,
  pluralForm, pluralize, toUnit, unitLabel,
} from '../src/index.js';

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [0.25, '250ms'],
    [0.9994, '999ms'],
    [0.9996, '1.0s'],
    [1, '1.0s'],
    [42.46, '42.5s'],
    [59.94, '59.9s'],
    [59.96, '1m 00s'],
    [60, '1m 00s'],
    [61.4, '1m 01s'],
    [119.4, '1m 59s'],
    [119.6, '2m 00s'],
    [3599.4, '59m 59s'],
    [3599.6, '1h 00m'],
    [3661, '1h 01m'],
    [86_399, '23h 59m'],
    [86_400, '1d 00h'],
    [2 * 86_400 + 5 * 3600 + 59 * 60, '2d 05h'],
  ])('%s s -> %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it('never prints 60 in a seconds or minutes field', () => {
    const bad: string[] = [];
    for (let s = 0; s < 7300; s += 0.05) {
      const text = formatDuration(s);
      if (/(^|\s)60(s|m)$/.test(text) || /^60\.0s$/.test(text) || /^1000ms$/.test(text)) bad.push(`${s} -> ${text}`);
    }
    expect(bad).toEqual([]);
  });

  it('treats negatives as 0 and non-finite values as unknown', () => {
    expect(formatDuration(-5)).toBe('0ms');
    expect(formatDuration(Number.NaN)).toBe('--');
    expect(formatDuration(Infinity)).toBe('--');
  });

  it('has a coarse form for bounds', () => {
    expect(formatDurationCoarse(99 * 86_400)).toBe('99d');
    expect(formatDurationCoarse(5 * 3600 + 5)).toBe('5h');
    expect(formatDurationCoarse(45.9)).toBe('45s');
  });
});

describe('formatCount and formatPercent', () => {
  it.each([
    [0, '0'],
    [999, '999'],
    [1000, '1,000'],
    [1_234_567, '1,234,567'],
    [-1_234, '-1,234'],
    [1.6, '2'],
    [Number.NaN, '--'],
  ])('%s -> %s', (n, text) => {
    expect(formatCount(n)).toBe(text);
  });

  it('truncates percentages so 100.0% means done', () => {
    expect(formatPercent(24.66)).toBe('24.6%');
    expect(formatPercent(99.96)).toBe('99.9%');
    expect(formatPercent(100)).toBe('100.0%');
    expect(formatPercent(0)).toBe('0.0%');
  });
});

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.0 KiB'],
    [1536, '1.5 KiB'],
    [100 * 1024, '100 KiB'],
    [1024 * 1024 - 1, '1.0 MiB'],
    [150 * 1024 ** 2, '150 MiB'],
    [5.25 * 1024 ** 3, '5.3 GiB'],
    [2 * 1024 ** 4, '2.0 TiB'],
  ])('%s -> %s', (n, text) => {
    expect(formatBytes(n)).toBe(text);
  });

  it('formats byte rates', () => {
    expect(formatByteRate(10 * 1024 ** 2)).toBe('10.0 MiB/s');
    expect(formatByteRate(null)).toBe('-- B/s');
  });
});

describe('formatRate', () => {
  const books = toUnit('book');
  it.each([
    [12.34, '12.3 books/s'],
    [1, '1.0 books/s'],
    [2500, '2,500 books/s'],
    [0.4, '2.5s/book'],
    [1 / 90, '1m 30s/book'],
    [0, '0 books/s'],
    [null, '-- books/s'],
  ])('%s -> %s', (rate, text) => {
    expect(formatRate(rate, books)).toBe(text);
  });

  it('defaults to items', () => {
    expect(formatRate(3)).toBe('3.0 items/s');
  });
});

describe('pluralisation', () => {
  it.each([
    ['book', 'books'],
    ['box', 'boxes'],
    ['batch', 'batches'],
    ['entry', 'entries'],
    ['day', 'days'],
    ['barcode record', 'barcode records'],
  ])('%s -> %s', (singular, plural) => {
    expect(pluralForm(singular)).toBe(plural);
  });

  it('uses the singular only for exactly one', () => {
    expect(pluralize(1, 'book')).toBe('1 book');
    expect(pluralize(0, 'book')).toBe('0 books');
    expect(pluralize(1234, 'book')).toBe('1,234 books');
    expect(unitLabel(1, { singular: 'child', plural: 'children' })).toBe('child');
    expect(unitLabel(2, { singular: 'child', plural: 'children' })).toBe('children');
  });
});
