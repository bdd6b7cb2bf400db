import { describe, expect, it } from 'vitest';
import { addCalendarMinutes, SLA_CALENDARS, slaClocks } from './slaCalendar.ts';

const business = SLA_CALENDARS.business_jp!;
const jst = (s: string) => new Date(`${s}+09:00`);

describe('SLA clocks', () => {
  it('runs P1 round the clock', () => {
    const clocks = slaClocks('P1', jst('2026-05-03T23:50:00'));
    expect(clocks.calendar).toBe('24x7');
    expect(clocks.acknowledgeDueAt.toISOString()).toBe(jst('2026-05-04T00:05:00').toISOString());
    expect(clocks.notifyDueAt.toISOString()).toBe(jst('2026-05-04T00:50:00').toISOString());
  });

  it('counts business minutes within a day and carries the rest to the next open day', () => {
    expect(addCalendarMinutes(jst('2026-04-01T10:00:00'), 60, business).toISOString()).toBe(jst('2026-04-01T11:00:00').toISOString());
    // Friday 17:30 + 60 min → Monday 9:30.
    expect(addCalendarMinutes(jst('2026-04-03T17:30:00'), 60, business).toISOString()).toBe(jst('2026-04-06T09:30:00').toISOString());
    // Before opening: the clock starts at 9:00.
    expect(addCalendarMinutes(jst('2026-04-01T06:00:00'), 30, business).toISOString()).toBe(jst('2026-04-01T09:30:00').toISOString());
  });

  it('skips Golden Week, the substitute holiday and the year-end break', () => {
    // Thu 2026-04-30 17:00 + 120 min: 60 min on the 30th, then Fri 5/1 (open) 9:00–10:00.
    expect(addCalendarMinutes(jst('2026-04-30T17:00:00'), 120, business).toISOString()).toBe(jst('2026-05-01T10:00:00').toISOString());
    // Fri 5/1 17:00 + 120: 5/2 Sat, 5/3–5/5 holidays, 5/6 振替休日 → Thu 5/7 10:00.
    expect(addCalendarMinutes(jst('2026-05-01T17:00:00'), 120, business).toISOString()).toBe(jst('2026-05-07T10:00:00').toISOString());
    // 2026-09-18 (Fri) 17:00 + 120: 9/19–20 weekend, 9/21 敬老の日, 9/22 国民の休日, 9/23 秋分の日 → 9/24 10:00.
    expect(addCalendarMinutes(jst('2026-09-18T17:00:00'), 120, business).toISOString()).toBe(jst('2026-09-24T10:00:00').toISOString());
    // Mon 2026-12-28 17:00 + 120: closed 12/29–1/3 → Mon 2027-01-04 10:00.
    expect(addCalendarMinutes(jst('2026-12-28T17:00:00'), 120, business).toISOString()).toBe(jst('2027-01-04T10:00:00').toISOString());
  });

  it('gives lower priorities business-hours clocks', () => {
    const clocks = slaClocks('P3', jst('2026-05-01T17:00:00'));
    expect(clocks.calendar).toBe('business_jp');
    // 240 min: 60 on 5/1, 180 on 5/7 → 12:00.
    expect(clocks.acknowledgeDueAt.toISOString()).toBe(jst('2026-05-07T12:00:00').toISOString());
  });
});
