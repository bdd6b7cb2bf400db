/**
 * EVE timestamps as Suricata writes them (CreateIsoTimeString): local time with microseconds and a
 * numeric offset, `2026-01-02T03:04:05.123456+0000`. The sensor always logs in UTC, so the offset is
 * fixed. Input is the packet clock (seconds + nanoseconds), never the wall clock.
 *
 * Every flow record formats three timestamps, so this avoids Date: the civil date comes from
 * integer arithmetic (days → year/month/day, proleptic Gregorian) and the last second is cached.
 */

const SECONDS_PER_DAY = 86400;
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : String(i)));

let cachedSec = Number.NaN;
let cachedPrefix = '';

/** `YYYY-MM-DDTHH:MM:SS` of a Unix time in seconds (UTC). */
function secondPrefix(tsSec: number): string {
  const days = Math.floor(tsSec / SECONDS_PER_DAY);
  const secOfDay = tsSec - days * SECONDS_PER_DAY;
  // Days since 1970-01-01 to civil date (H. Hinnant's algorithm, eras of 400 years).
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const h = Math.floor(secOfDay / 3600);
  const m = Math.floor((secOfDay % 3600) / 60);
  const s = secOfDay % 60;
  return `${String(year).padStart(4, '0')}-${TWO_DIGITS[month]}-${TWO_DIGITS[day]}T${TWO_DIGITS[h]}:${TWO_DIGITS[m]}:${TWO_DIGITS[s]}`;
}

export function formatEveTimestamp(tsSec: number, tsNsec: number): string {
  if (tsSec !== cachedSec) {
    cachedPrefix = secondPrefix(tsSec);
    cachedSec = tsSec;
  }
  const micros = Math.floor(tsNsec / 1000);
  const frac = micros >= 100000 ? String(micros) : String(micros).padStart(6, '0');
  return `${cachedPrefix}.${frac}+0000`;
}
