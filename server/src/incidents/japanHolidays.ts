/**
 * Japanese public holidays (国民の祝日に関する法律) as rules, for the SLA calendars. Valid for the
 * current law (from 2020 on, outside the Olympic moves of 2020–2021) and the equinox formula's range
 * (1980–2099); the SLA code only asks for 2024 onwards.
 *
 * - fixed dates, and the Happy Monday days (the nth Monday of a month);
 * - 春分の日 / 秋分の日 from the standard approximation used for the Cabinet Office's announcements:
 *   day = floor(c + 0.242194 × (y − 1980) − floor((y − 1980) ÷ 4)), c = 20.8431 (March), 23.2488 (September);
 * - 振替休日: a holiday on a Sunday moves to the next day that is not already a holiday;
 * - 国民の休日: an ordinary day between two holidays is a holiday (e.g. 2026-09-22).
 */

export interface JapaneseHoliday {
  date: string;
  name: string;
}

const pad = (n: number) => String(n).padStart(2, '0');
const iso = (y: number, m: number, d: number) => `${y}-${pad(m)}-${pad(d)}`;
/** 0 = Sunday. Dates here are calendar dates, so UTC arithmetic is exact. */
const weekday = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d)).getUTCDay();

function nthMonday(y: number, m: number, n: number): number {
  const first = weekday(y, m, 1);
  const firstMonday = 1 + ((8 - first) % 7);
  return firstMonday + 7 * (n - 1);
}

export function vernalEquinoxDay(year: number): number {
  return Math.floor(20.8431 + 0.242194 * (year - 1980) - Math.floor((year - 1980) / 4));
}

export function autumnalEquinoxDay(year: number): number {
  return Math.floor(23.2488 + 0.242194 * (year - 1980) - Math.floor((year - 1980) / 4));
}

function statutoryHolidays(y: number): JapaneseHoliday[] {
  return [
    { date: iso(y, 1, 1), name: '元日' },
    { date: iso(y, 1, nthMonday(y, 1, 2)), name: '成人の日' },
    { date: iso(y, 2, 11), name: '建国記念の日' },
    { date: iso(y, 2, 23), name: '天皇誕生日' },
    { date: iso(y, 3, vernalEquinoxDay(y)), name: '春分の日' },
    { date: iso(y, 4, 29), name: '昭和の日' },
    { date: iso(y, 5, 3), name: '憲法記念日' },
    { date: iso(y, 5, 4), name: 'みどりの日' },
    { date: iso(y, 5, 5), name: 'こどもの日' },
    { date: iso(y, 7, nthMonday(y, 7, 3)), name: '海の日' },
    { date: iso(y, 8, 11), name: '山の日' },
    { date: iso(y, 9, nthMonday(y, 9, 3)), name: '敬老の日' },
    { date: iso(y, 9, autumnalEquinoxDay(y)), name: '秋分の日' },
    { date: iso(y, 10, nthMonday(y, 10, 2)), name: 'スポーツの日' },
    { date: iso(y, 11, 3), name: '文化の日' },
    { date: iso(y, 11, 23), name: '勤労感謝の日' },
  ];
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

const cache = new Map<number, JapaneseHoliday[]>();

/** Every public holiday of a year, in date order. */
export function japaneseHolidays(year: number): JapaneseHoliday[] {
  if (year < 2020 || year > 2099) throw new RangeError(`Japanese holidays are computed for 2020–2099, not ${year}`);
  const cached = cache.get(year);
  if (cached) return cached;
  const holidays = statutoryHolidays(year);
  const taken = new Set(holidays.map((h) => h.date));
  // 国民の休日: a day squeezed between two holidays (only September can produce one now).
  for (const h of [...holidays]) {
    const next = addDays(h.date, 1);
    const after = addDays(h.date, 2);
    if (!taken.has(next) && taken.has(after) && new Date(`${next}T00:00:00Z`).getUTCDay() !== 0) {
      holidays.push({ date: next, name: '国民の休日' });
      taken.add(next);
    }
  }
  // 振替休日: a Sunday holiday gives the next day that is not a holiday.
  for (const h of [...holidays]) {
    if (new Date(`${h.date}T00:00:00Z`).getUTCDay() !== 0) continue;
    let day = addDays(h.date, 1);
    while (taken.has(day)) day = addDays(day, 1);
    holidays.push({ date: day, name: '休日' });
    taken.add(day);
  }
  holidays.sort((a, b) => a.date.localeCompare(b.date));
  cache.set(year, holidays);
  return holidays;
}

export function isJapaneseHoliday(date: string): boolean {
  return japaneseHolidays(Number(date.slice(0, 4))).some((h) => h.date === date);
}
