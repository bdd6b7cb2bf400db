/**
 * The statistics page's series, pure: the calendar months of a period (each clipped to it), one
 * detection table per month with the definitions of detectionStats.ts, and the category (box) of
 * a signature's engine.
 */
import type { AlertEngine } from '@otasuke/shared';
import { detectionStats, type DetectionCount, type MonitoredContract } from './detectionStats.ts';
import type { MonthlyDetections, TopSignature } from './statsSchemas.ts';

export const MAX_MONTHS = 24;

export interface MonthSlice {
  month: string;
  from: string;
  to: string;
}

function lastDayOf(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return `${month}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
}

function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

/** The calendar months of [from, to] (both included), each clipped to the period; `from` ≤ `to`. */
export function monthSlices(from: string, to: string): MonthSlice[] {
  const slices: MonthSlice[] = [];
  for (let month = from.slice(0, 7); month <= to.slice(0, 7); month = nextMonth(month)) {
    slices.push({ month, from: `${month}-01` < from ? from : `${month}-01`, to: lastDayOf(month) > to ? to : lastDayOf(month) });
  }
  return slices;
}

/** Detections counted per Japan calendar month. */
export interface MonthlyDetectionCount extends DetectionCount {
  month: string;
}

/** One table per month: a company's monitored days and detections are those of that month. */
export function monthlyDetections(from: string, to: string, contracts: readonly MonitoredContract[], counts: readonly MonthlyDetectionCount[]): MonthlyDetections {
  const byMonth = new Map<string, DetectionCount[]>();
  for (const c of counts) {
    const list = byMonth.get(c.month) ?? [];
    list.push({ organizationId: c.organizationId, direction: c.direction, engine: c.engine, count: c.count });
    byMonth.set(c.month, list);
  }
  return { from, to, months: monthSlices(from, to).map((s) => ({ month: s.month, stats: detectionStats(s.from, s.to, contracts, byMonth.get(s.month) ?? []) })) };
}

/** The box of the detection table an engine counts in (behaviour detections count in the totals only). */
export function boxOfEngine(engine: AlertEngine): TopSignature['box'] {
  if (engine === 'file') return 'virus';
  if (engine === 'behaviour') return 'other';
  return 'ips';
}
