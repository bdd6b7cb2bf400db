/**
 * The server reads operator-imported feeds with the sensor's own pure parsers, so what the server
 * accepts is exactly what a sensor will load from the bundle. This is the one place that knows
 * their module; the rest of the server sees plain results.
 */
import type { FeedLineError, ThreatFeedFormat } from '@otasuke/shared';
import { formatPlainIocLines, parseIocText, type IocEntry } from '@otasuke/sensor/detect/ioc/index';

/** Line errors kept per import; the rest are only counted. */
export const KEPT_LINE_ERRORS = 100;

export interface ParsedFeed {
  format: string | null;
  /** Normalised `type value …` lines, one per distinct indicator. */
  plainText: string;
  entryCount: number;
  entriesByType: Record<string, number>;
  errorCount: number;
  errors: FeedLineError[];
}

/** True when the bytes look binary (NUL bytes near the start): no feed format has them. */
export function looksBinary(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 64 * 1024);
  return head.includes(0);
}

export function parseFeed(bytes: Uint8Array, feedName: string, format: ThreatFeedFormat): ParsedFeed {
  const result = parseIocText(bytes, feedName, format === 'auto' ? undefined : format, { feed: feedName });
  const seen = new Set<string>();
  const distinct: IocEntry[] = [];
  const entriesByType: Record<string, number> = {};
  for (const entry of result.entries) {
    const key = `${entry.type} ${entry.value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    distinct.push(entry);
    entriesByType[entry.type] = (entriesByType[entry.type] ?? 0) + 1;
  }
  return {
    format: result.format ?? null,
    plainText: formatPlainIocLines(distinct),
    entryCount: distinct.length,
    entriesByType,
    errorCount: result.errors.length,
    errors: result.errors.slice(0, KEPT_LINE_ERRORS).map((e) => ({ line: e.line, message: e.reason })),
  };
}
