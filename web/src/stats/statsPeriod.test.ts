import { describe, expect, it } from 'vitest';
import { monthsOf, todayInJapan } from './statsPeriod.ts';

describe('monthsOf', () => {
  it('cuts the period into calendar months clipped to its ends', () => {
    expect(monthsOf('2026-01-15', '2026-03-10')).toEqual([
      { month: '2026-01', from: '2026-01-15', to: '2026-01-31' },
      { month: '2026-02', from: '2026-02-01', to: '2026-02-28' },
      { month: '2026-03', from: '2026-03-01', to: '2026-03-10' },
    ]);
  });

  it('crosses the year and knows leap Februaries', () => {
    expect(monthsOf('2027-12-01', '2028-02-29').map((m) => `${m.from}..${m.to}`)).toEqual(['2027-12-01..2027-12-31', '2028-01-01..2028-01-31', '2028-02-01..2028-02-29']);
  });

  it('answers nothing for a reversed or malformed period, and at most 24 months', () => {
    expect(monthsOf('2026-05-01', '2026-04-30')).toEqual([]);
    expect(monthsOf('2026-5-1', '2026-06-30')).toEqual([]);
    const long = monthsOf('2020-01-01', '2026-12-31');
    expect(long).toHaveLength(24);
    expect(long[0]!.month).toBe('2025-01');
  });

  it('takes today in Japan (UTC+9)', () => {
    expect(todayInJapan(Date.parse('2026-11-30T15:30:00Z'))).toBe('2026-12-01');
  });
});
