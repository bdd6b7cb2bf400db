import { describe, expect, it } from 'vitest';
import { formatEveTimestamp } from './eveTime.ts';

describe('formatEveTimestamp', () => {
  it('writes Suricata’s ISO form with microseconds and a +0000 offset', () => {
    expect(formatEveTimestamp(1767323045, 123456789)).toBe('2026-01-02T03:04:05.123456+0000');
  });

  it('pads microseconds and truncates (never rounds) nanoseconds', () => {
    expect(formatEveTimestamp(0, 0)).toBe('1970-01-01T00:00:00.000000+0000');
    expect(formatEveTimestamp(0, 999)).toBe('1970-01-01T00:00:00.000000+0000');
    expect(formatEveTimestamp(0, 1000)).toBe('1970-01-01T00:00:00.000001+0000');
    expect(formatEveTimestamp(0, 999_999_999)).toBe('1970-01-01T00:00:00.999999+0000');
  });

  it('is not confused by its per-second cache', () => {
    expect(formatEveTimestamp(1546300799, 5000)).toBe('2018-12-31T23:59:59.000005+0000');
    expect(formatEveTimestamp(1546300800, 5000)).toBe('2019-01-01T00:00:00.000005+0000');
    expect(formatEveTimestamp(1546300799, 6000)).toBe('2018-12-31T23:59:59.000006+0000');
  });

  it('matches the pattern of the EVE schema', () => {
    expect(formatEveTimestamp(1700000000, 1)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d+[+-]\d+$/);
  });
});

describe('formatEveTimestamp against Date', () => {
  it('agrees with Date.toISOString on leap days, century edges and random seconds', () => {
    const probes = [951782400, 951868799, 4107542400, 253402300799, 68169600, 1709164800];
    let x = 12345;
    for (let i = 0; i < 2000; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      probes.push(x * 3);
    }
    for (const s of probes) {
      expect(formatEveTimestamp(s, 42_000)).toBe(`${new Date(s * 1000).toISOString().slice(0, 19)}.000042+0000`);
    }
  });
});
