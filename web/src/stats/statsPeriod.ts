/**
 * Periods of the statistics page: the monthly charts cover the calendar months inside the chosen
 * period (clipped to it), at most the latest `maxMonths` of them (the server's limit for `/stats/monthly`).
 */
export const maxMonths = 24;

export interface MonthSlice {
  month: string;
  from: string;
  to: string;
}

function lastDayOf(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return `${month}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
}

/** The calendar months of [from, to] (YYYY-MM-DD, both included), each clipped to the period; the latest `maxMonths`. */
export function monthsOf(from: string, to: string): MonthSlice[] {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(from) || !/^\d{4}-\d{2}-\d{2}$/.test(to) || from > to) return [];
  const slices: MonthSlice[] = [];
  let month = from.slice(0, 7);
  while (month <= to.slice(0, 7)) {
    const start = `${month}-01` < from ? from : `${month}-01`;
    const end = lastDayOf(month) > to ? to : lastDayOf(month);
    slices.push({ month, from: start, to: end });
    const [y, m] = month.split('-').map(Number) as [number, number];
    month = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
  }
  return slices.slice(-maxMonths);
}

/** Today in Japan, YYYY-MM-DD. */
export function todayInJapan(now = Date.now()): string {
  return new Date(now + 9 * 3_600_000).toISOString().slice(0, 10);
}
