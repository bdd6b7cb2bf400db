import { describe, expect, it } from 'vitest';
import { japaneseHolidays } from './japanHolidays.ts';

/** The Cabinet Office's lists (内閣府「国民の祝日について」), 2024–2026 in full. */
const cabinetOffice: Record<number, string[]> = {
  2024: ['01-01', '01-08', '02-11', '02-12', '02-23', '03-20', '04-29', '05-03', '05-04', '05-05', '05-06', '07-15', '08-11', '08-12', '09-16', '09-22', '09-23', '10-14', '11-03', '11-04', '11-23'],
  2025: ['01-01', '01-13', '02-11', '02-23', '02-24', '03-20', '04-29', '05-03', '05-04', '05-05', '05-06', '07-21', '08-11', '09-15', '09-23', '10-13', '11-03', '11-23', '11-24'],
  2026: ['01-01', '01-12', '02-11', '02-23', '03-20', '04-29', '05-03', '05-04', '05-05', '05-06', '07-20', '08-11', '09-21', '09-22', '09-23', '10-12', '11-03', '11-23'],
};

describe('Japanese public holidays', () => {
  it.each(Object.entries(cabinetOffice))('match the Cabinet Office list for %s', (year, days) => {
    expect(japaneseHolidays(Number(year)).map((h) => h.date)).toEqual(days.map((d) => `${year}-${d}`));
  });

  it('names the substitute holiday and the citizens\' holiday', () => {
    const y2026 = japaneseHolidays(2026);
    expect(y2026.find((h) => h.date === '2026-05-06')?.name).toBe('休日');
    expect(y2026.find((h) => h.date === '2026-09-22')?.name).toBe('国民の休日');
  });

  it('puts the equinoxes on the announced days through 2030', () => {
    const equinoxes = (y: number) => japaneseHolidays(y).filter((h) => h.name.endsWith('分の日')).map((h) => h.date);
    expect(equinoxes(2027)).toEqual(['2027-03-21', '2027-09-23']);
    expect(equinoxes(2028)).toEqual(['2028-03-20', '2028-09-22']);
    expect(equinoxes(2029)).toEqual(['2029-03-20', '2029-09-23']);
    expect(equinoxes(2030)).toEqual(['2030-03-20', '2030-09-23']);
    // 2027-03-21 is a Sunday: Monday the 22nd is the substitute holiday.
    expect(japaneseHolidays(2027).map((h) => h.date)).toContain('2027-03-22');
  });

  it('has 16 to 21 holidays every year 2024–2030 and refuses years outside the rules', () => {
    for (let y = 2024; y <= 2030; y++) expect(japaneseHolidays(y).length).toBeGreaterThanOrEqual(16);
    expect(() => japaneseHolidays(2019)).toThrow(RangeError);
  });
});
