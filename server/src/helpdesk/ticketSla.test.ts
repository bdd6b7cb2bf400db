import { describe, expect, it } from 'vitest';
import { slaState, ticketDueTimes } from './ticketSla.ts';

describe('ticket SLA timers', () => {
  it('runs normal tickets on Japanese business hours (a Friday-evening mail is due Monday)', () => {
    // Friday 2026-04-03 17:00 JST: one business hour left that day, then Monday 2026-04-06 from 9:00.
    const due = ticketDueTimes('normal', new Date('2026-04-03T17:00:00+09:00'));
    expect(due.firstResponseDueAt.toISOString()).toBe(new Date('2026-04-06T12:00:00+09:00').toISOString());
  });

  it('runs urgent tickets around the clock', () => {
    const due = ticketDueTimes('urgent', new Date('2026-04-04T23:50:00+09:00'));
    expect(due.firstResponseDueAt.toISOString()).toBe(new Date('2026-04-05T00:20:00+09:00').toISOString());
  });

  it('warns at 80% of the span and breaches after the due time', () => {
    const opened = new Date('2026-04-01T00:00:00Z');
    const due = new Date('2026-04-01T01:40:00Z'); // 100 minutes
    expect(slaState(opened, due, null, new Date('2026-04-01T01:19:00Z'))).toBe('running');
    expect(slaState(opened, due, null, new Date('2026-04-01T01:20:00Z'))).toBe('warning');
    expect(slaState(opened, due, null, new Date('2026-04-01T01:41:00Z'))).toBe('breached');
    expect(slaState(opened, due, new Date('2026-04-01T01:40:00Z'), new Date('2026-04-02T00:00:00Z'))).toBe('met');
    expect(slaState(opened, due, new Date('2026-04-01T01:41:00Z'), new Date('2026-04-02T00:00:00Z'))).toBe('breached');
  });
});
