import { describe, expect, it } from 'vitest';
import { cannedForCategory, canProposeSession, minutesUntil, nextDue, sessionPhase, splitMinutes } from './helpdeskModel.ts';

const none = { consentAt: null, refusedAt: null, startedAt: null, endedAt: null };
const at = '2026-04-01T03:00:00.000Z';

describe('help desk model', () => {
  it('follows a remote session from the request to its end', () => {
    expect(sessionPhase(none)).toBe('waiting');
    expect(sessionPhase({ ...none, refusedAt: at })).toBe('refused');
    expect(sessionPhase({ ...none, consentAt: at })).toBe('ready');
    expect(sessionPhase({ ...none, consentAt: at, startedAt: at })).toBe('running');
    expect(sessionPhase({ ...none, consentAt: at, startedAt: at, endedAt: at })).toBe('ended');
    expect(canProposeSession([])).toBe(true);
    expect(canProposeSession([{ ...none, refusedAt: at }, { ...none, consentAt: at, startedAt: at, endedAt: at }])).toBe(true);
    expect(canProposeSession([{ ...none, refusedAt: at }, none])).toBe(false);
    expect(canProposeSession([{ ...none, consentAt: at }])).toBe(false);
  });

  it('names the timer that still runs and how long is left', () => {
    const ticket = { firstRespondedAt: null, firstResponseDueAt: '2026-04-01T04:00:00.000Z', resolvedAt: null, resolutionDueAt: '2026-04-03T09:00:00.000Z' };
    expect(nextDue(ticket)).toEqual({ timer: 'firstResponse', dueAt: '2026-04-01T04:00:00.000Z' });
    expect(nextDue({ ...ticket, firstRespondedAt: at })).toEqual({ timer: 'resolution', dueAt: '2026-04-03T09:00:00.000Z' });
    expect(nextDue({ ...ticket, firstRespondedAt: at, resolvedAt: at })).toBeNull();
    expect(minutesUntil('2026-04-01T04:00:00.000Z', Date.parse(at))).toBe(60);
    expect(minutesUntil('2026-04-01T02:30:00.000Z', Date.parse(at))).toBe(-30);
    expect(splitMinutes(-1565)).toEqual({ days: 1, hours: 2, minutes: 5 });
  });

  it('offers the canned replies of the ticket’s category first, then the general ones', () => {
    const reply = (title: string, category: 'sensor' | 'network' | null) => ({ id: title, title, body: title, category });
    const sorted = cannedForCategory([reply('ネット', 'network'), reply('受付', null), reply('センサー', 'sensor')], 'sensor');
    expect(sorted.map((r) => r.title)).toEqual(['センサー', '受付', 'ネット']);
  });
});
