/**
 * Help-desk SLA timers, pure: first response and resolution due times per priority on the incidents'
 * SLA calendars (urgent runs around the clock, the rest on Japanese business hours), and the state of
 * each timer at a given moment. A timer is in `warning` once 80% of its span has gone.
 */
import type { SlaState, TicketPriority } from '@otasuke/shared';
import { addCalendarMinutes, SLA_CALENDARS } from '../incidents/slaCalendar.ts';

interface TicketSlaTarget {
  calendar: string;
  firstResponseMinutes: number;
  resolutionMinutes: number;
}

export const TICKET_SLA_POLICY: Record<TicketPriority, TicketSlaTarget> = {
  urgent: { calendar: '24x7', firstResponseMinutes: 30, resolutionMinutes: 8 * 60 },
  high: { calendar: 'business_jp', firstResponseMinutes: 60, resolutionMinutes: 9 * 60 },
  normal: { calendar: 'business_jp', firstResponseMinutes: 4 * 60, resolutionMinutes: 3 * 9 * 60 },
  low: { calendar: 'business_jp', firstResponseMinutes: 9 * 60, resolutionMinutes: 5 * 9 * 60 },
};

export const WARNING_FRACTION = 0.8;

export function ticketDueTimes(priority: TicketPriority, openedAt: Date): { firstResponseDueAt: Date; resolutionDueAt: Date } {
  const target = TICKET_SLA_POLICY[priority];
  const calendar = SLA_CALENDARS[target.calendar];
  if (!calendar) throw new Error(`ticket SLA of ${priority} names an unknown calendar ${target.calendar}`);
  return {
    firstResponseDueAt: addCalendarMinutes(openedAt, target.firstResponseMinutes, calendar),
    resolutionDueAt: addCalendarMinutes(openedAt, target.resolutionMinutes, calendar),
  };
}

/** `doneAt` null: the clock still runs. Met or breached once done; warning from 80% of the span. */
export function slaState(openedAt: Date, dueAt: Date, doneAt: Date | null, now: Date): SlaState {
  if (doneAt) return doneAt.getTime() <= dueAt.getTime() ? 'met' : 'breached';
  if (now.getTime() > dueAt.getTime()) return 'breached';
  const span = dueAt.getTime() - openedAt.getTime();
  return now.getTime() - openedAt.getTime() >= span * WARNING_FRACTION ? 'warning' : 'running';
}
