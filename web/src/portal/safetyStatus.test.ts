import { describe, expect, it } from 'vitest';
import { safetyOf, type SafetyInput } from './safetyStatus.ts';

const incident = (id: string, priority: SafetyInput['priority'], status = 'new', acknowledgedAt: string | null = null): SafetyInput => ({ id, priority, status, acknowledgedAt });

describe('safetyOf', () => {
  it('is safe with nothing open (resolved and merged are history)', () => {
    expect(safetyOf([])).toEqual({ level: 'safe', reason: 'noIncidents', open: 0, urgent: 0 });
    expect(safetyOf([incident('a', 'P1', 'resolved'), incident('b', 'P2', 'merged')])).toEqual({ level: 'safe', reason: 'noIncidents', open: 0, urgent: 0 });
  });

  it('is danger while an open P1/P2 is unacknowledged', () => {
    expect(safetyOf([incident('a', 'P1'), incident('b', 'P4')])).toEqual({ level: 'danger', reason: 'urgentUnacknowledged', open: 2, urgent: 1 });
  });

  it('is caution once our analysts acknowledged the P1/P2, or the owner did', () => {
    expect(safetyOf([incident('a', 'P2', 'acknowledged', '2026-11-26T01:00:00Z')])).toEqual({ level: 'caution', reason: 'urgentAcknowledged', open: 1, urgent: 0 });
    expect(safetyOf([incident('a', 'P1')], new Set(['a']))).toEqual({ level: 'caution', reason: 'urgentAcknowledged', open: 1, urgent: 0 });
  });

  it('is caution with only P3/P4 open', () => {
    expect(safetyOf([incident('a', 'P3'), incident('b', 'P4', 'investigating')])).toEqual({ level: 'caution', reason: 'lowOnly', open: 2, urgent: 0 });
  });
});
