/**
 * Render as you fetch: opened at /incidents, the default view's first page is asked for as soon as
 * the console's entry runs — in parallel with the session check and before the Japanese fonts take
 * the browser's six connections — and the queue's query takes it once, if it is still fresh. A
 * signed-out reader's request just fails with 401 and is never used.
 */
import { api, expectOk } from '../api/client.ts';
import { defaultFilters, queryOfFilters } from './savedViews.ts';

export type QueueQuery = ReturnType<typeof queryOfFilters>;

export function fetchQueuePage(query: QueueQuery, cursor: string | null) {
  return expectOk(api.GET('/api/v1/incidents', { params: { query: { ...query, limit: 50, ...(cursor ? { cursor } : {}) } } }));
}

let earlyFirstPage: { key: string; at: number; page: ReturnType<typeof fetchQueuePage> } | null = null;

/** Called once by the entry when the address is the queue's. */
export function startEarlyFirstPage(): void {
  const query = queryOfFilters(defaultFilters);
  earlyFirstPage = { key: JSON.stringify(query), at: Date.now(), page: fetchQueuePage(query, null) };
  // Never used (the reader moved on, or was signed out): its failure is nobody's concern.
  earlyFirstPage.page.catch(() => undefined);
}

export function takeEarlyFirstPage(key: string): ReturnType<typeof fetchQueuePage> | null {
  const early = earlyFirstPage;
  earlyFirstPage = null;
  return early && early.key === key && Date.now() - early.at < 10_000 ? early.page : null;
}
