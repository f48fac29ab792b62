import { describe, expect, it } from 'vitest';
import { grinDateToIso } from '../src/index.js';

describe('grinDateToIso', () => {
  it('converts GRIN dates to naive ISO', () => {
    expect(grinDateToIso('2024/01/15 14:30')).toBe('2024-01-15T14:30:00');
    expect(grinDateToIso(' 1999/12/31 23:59 ')).toBe('1999-12-31T23:59:00');
    expect(grinDateToIso('2024/02/29 00:00')).toBe('2024-02-29T00:00:00');
  });

  it('maps empty values to null', () => {
    expect(grinDateToIso('')).toBeNull();
    expect(grinDateToIso('   ')).toBeNull();
    expect(grinDateToIso(null)).toBeNull();
    expect(grinDateToIso(undefined)).toBeNull();
  });

  it('keeps anything else unchanged', () => {
    for (const raw of ['2024/01/15', '2024-01-15 14:30', '15/01/2024 14:30', '2024/13/01 10:00', '2023/02/29 10:00', '2024/01/15 24:00', 'n/a']) {
      expect(grinDateToIso(raw)).toBe(raw);
    }
  });
});
