import { describe, expect, it } from 'vitest';
import { retryAfterMs, retryDelayMs } from './backoff.ts';

describe('retry delays', () => {
  it('grows exponentially under the cap, with full jitter', () => {
    expect([0, 1, 2, 3, 10].map((a) => retryDelayMs(a, 60_000, () => 0.999999))).toEqual([499, 999, 1999, 3999, 59_999]);
    expect(retryDelayMs(5, 60_000, () => 0)).toBe(0);
    expect(retryDelayMs(1000, 60_000, () => 0.5)).toBe(30_000);
  });

  it('reads Retry-After as seconds or a date, capped', () => {
    const now = Date.parse('2026-11-26T03:00:00Z');
    expect(retryAfterMs('2', now)).toBe(2000);
    expect(retryAfterMs('0.5', now)).toBe(500);
    expect(retryAfterMs('Thu, 26 Nov 2026 03:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Thu, 26 Nov 2026 02:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('86400', now)).toBe(600_000);
    expect([retryAfterMs(undefined, now), retryAfterMs('soon', now), retryAfterMs('-1', now)]).toEqual([null, null, null]);
  });
});
