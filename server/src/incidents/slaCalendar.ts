/**
 * SLA clocks as data: a calendar says when the clock runs; a policy per priority says how many
 * minutes of that calendar an analyst has to acknowledge and to tell the customer. Pure.
 *
 * P1 runs on the 24/7 calendar (the service promises 24-hour monitoring); lower priorities run on
 * business hours in Japan (weekdays 9:00–18:00 JST, not on public holidays or 12/29–1/3).
 * Japan has no daylight saving time, so JST is UTC+9 all year.
 */
import type { IncidentPriority } from '@otasuke/shared';
import { isJapaneseHoliday } from './japanHolidays.ts';

export type SlaCalendar =
  | { id: string; kind: 'always' }
  | {
      id: string;
      kind: 'business';
      utcOffsetMinutes: number;
      /** Minutes after local midnight. */
      opensAt: number;
      closesAt: number;
      /** 0 = Sunday … 6 = Saturday. */
      weekdays: readonly number[];
      japaneseHolidays: boolean;
      /** MM-DD days closed every year (the year-end break). */
      closedDays: readonly string[];
    };

export const SLA_CALENDARS: Record<string, SlaCalendar> = {
  '24x7': { id: '24x7', kind: 'always' },
  business_jp: {
    id: 'business_jp',
    kind: 'business',
    utcOffsetMinutes: 9 * 60,
    opensAt: 9 * 60,
    closesAt: 18 * 60,
    weekdays: [1, 2, 3, 4, 5],
    japaneseHolidays: true,
    closedDays: ['12-29', '12-30', '12-31', '01-02', '01-03'],
  },
};

export interface SlaTarget {
  calendar: string;
  acknowledgeMinutes: number;
  notifyMinutes: number;
}

export const SLA_POLICY: Record<IncidentPriority, SlaTarget> = {
  P1: { calendar: '24x7', acknowledgeMinutes: 15, notifyMinutes: 60 },
  P2: { calendar: 'business_jp', acknowledgeMinutes: 60, notifyMinutes: 240 },
  P3: { calendar: 'business_jp', acknowledgeMinutes: 240, notifyMinutes: 540 },
  P4: { calendar: 'business_jp', acknowledgeMinutes: 540, notifyMinutes: 2700 },
};

const DAY = 86_400_000;

function isOpenDay(calendar: Extract<SlaCalendar, { kind: 'business' }>, localDate: string, weekday: number): boolean {
  if (!calendar.weekdays.includes(weekday)) return false;
  if (calendar.closedDays.includes(localDate.slice(5))) return false;
  return !(calendar.japaneseHolidays && isJapaneseHoliday(localDate));
}

/** The moment `minutes` of open calendar time after `start`. */
export function addCalendarMinutes(start: Date, minutes: number, calendar: SlaCalendar): Date {
  if (calendar.kind === 'always') return new Date(start.getTime() + minutes * 60_000);
  const offset = calendar.utcOffsetMinutes * 60_000;
  let remaining = minutes * 60_000;
  // Work in "local" milliseconds (UTC shifted by the offset), a day at a time.
  let local = start.getTime() + offset;
  for (let guard = 0; guard < 3700; guard++) {
    const dayStart = Math.floor(local / DAY) * DAY;
    const date = new Date(dayStart);
    const localDate = date.toISOString().slice(0, 10);
    if (isOpenDay(calendar, localDate, date.getUTCDay())) {
      const opens = dayStart + calendar.opensAt * 60_000;
      const closes = dayStart + calendar.closesAt * 60_000;
      const from = Math.max(local, opens);
      if (from < closes) {
        if (from + remaining <= closes) return new Date(from + remaining - offset);
        remaining -= closes - from;
      }
    }
    local = dayStart + DAY;
  }
  throw new Error(`calendar ${calendar.id} has no open time within ten years`);
}

export interface SlaClocks {
  calendar: string;
  acknowledgeDueAt: Date;
  notifyDueAt: Date;
}

export function slaClocks(priority: IncidentPriority, openedAt: Date, policy: Record<IncidentPriority, SlaTarget> = SLA_POLICY): SlaClocks {
  const target = policy[priority];
  const calendar = SLA_CALENDARS[target.calendar];
  if (!calendar) throw new Error(`SLA policy of ${priority} names an unknown calendar ${target.calendar}`);
  return {
    calendar: calendar.id,
    acknowledgeDueAt: addCalendarMinutes(openedAt, target.acknowledgeMinutes, calendar),
    notifyDueAt: addCalendarMinutes(openedAt, target.notifyMinutes, calendar),
  };
}
