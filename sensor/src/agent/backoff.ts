/**
 * How long to wait before trying the server again (pure). Exponential backoff with full jitter:
 * a random wait between 0 and min(cap, base × 2^attempt), so thousands of sensors coming back after
 * an outage do not knock on the server in step. A server's Retry-After wins when it gives one.
 */
export const BACKOFF_BASE_MS = 500;

export function retryDelayMs(attempt: number, capMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, BACKOFF_BASE_MS * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

/** Retry-After as seconds or an HTTP date → milliseconds from `now`; null when absent or unreadable. */
export function retryAfterMs(header: string | string[] | undefined, now: number, capMs = 10 * 60_000): number | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return null;
  const trimmed = value.trim();
  if (/^[+-]?[\d.]+$/.test(trimmed)) {
    const seconds = Number(trimmed);
    return Number.isFinite(seconds) && seconds >= 0 ? Math.min(capMs, Math.round(seconds * 1000)) : null;
  }
  // An HTTP date names its weekday or month; a bare number is never one.
  const date = /[a-z]/i.test(trimmed) ? Date.parse(trimmed) : NaN;
  if (Number.isNaN(date)) return null;
  return Math.min(capMs, Math.max(0, date - now));
}
