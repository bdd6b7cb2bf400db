/**
 * Render as you fetch: opened at /incidents, the default view's first page is asked for by the
 * console's first script (startup/earlyRequests.ts) — in parallel with the session check and long
 * before the rest of the console has run — and primes the queue's cache before the first render, or
 * the queue's query takes it once, if it is still fresh. A signed-out reader's request fails with
 * 401 and is never used.
 */
import type { QueryClient } from '@tanstack/react-query';
import { api, expectOk } from '../api/client.ts';
import { defaultFilters, queryOfFilters } from './savedViews.ts';

export type QueueQuery = ReturnType<typeof queryOfFilters>;

export function fetchQueuePage(query: QueueQuery, cursor: string | null) {
  return expectOk(api.GET('/api/v1/incidents', { params: { query: { ...query, limit: 50, ...(cursor ? { cursor } : {}) } } }));
}

type QueuePage = Awaited<ReturnType<typeof fetchQueuePage>>;

/** The queue's react-query key for a query (IncidentQueuePage uses the same). */
export function queueQueryKey(query: QueueQuery) {
  return ['incidents', 'queue', query] as const;
}

/** How long a primed first page counts as fresh (live events and the poll refresh it afterwards). */
export const queueStaleMs = 10_000;

let earlyFirstPage: { key: string; at: number; page: Promise<QueuePage> } | null = null;

/** Called once by the first script when the address is the queue's. */
export function startEarlyFirstPage(): void {
  const query = queryOfFilters(defaultFilters);
  earlyFirstPage = { key: JSON.stringify(query), at: Date.now(), page: fetchQueuePage(query, null) };
  // Never used (the reader moved on, or was signed out): its failure is nobody's concern.
  earlyFirstPage.page.catch(() => undefined);
}

/** The early page, once, for the same query and still fresh; a failed one is asked for again. */
export function takeEarlyFirstPage(key: string): Promise<QueuePage> | null {
  const early = earlyFirstPage;
  earlyFirstPage = null;
  if (!early || early.key !== key || Date.now() - early.at >= queueStaleMs) return null;
  return early.page.catch(() => fetchQueuePage(JSON.parse(key) as QueueQuery, null));
}

/**
 * Before the first render, for an analyst: put the early first page into the queue's cache if it has
 * arrived by `deadline`, so the queue's first render already has its rows.
 */
export async function primeQueueFirstPage(queryClient: QueryClient, deadline: Promise<void>): Promise<void> {
  const early = earlyFirstPage;
  if (!early) return;
  const settled = await Promise.race([early.page.then((page) => ({ page }), () => null), deadline.then(() => null)]);
  if (!settled || earlyFirstPage !== early) return;
  earlyFirstPage = null;
  const query = JSON.parse(early.key) as QueueQuery;
  queryClient.setQueryData(queueQueryKey(query), { pages: [settled.page], pageParams: [null] }, { updatedAt: early.at });
}
