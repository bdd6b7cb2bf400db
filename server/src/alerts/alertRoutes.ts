import { AlertPage, AlertQuery, SensorIngestCounters, type Role } from '@otasuke/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { scopeOf } from '../http/accessGuard.ts';
import type { Services } from '../http/services.ts';

/** Operator staff (every tenant) and the subscriber's own people (their organization only). */
export const ALERT_READERS: readonly Role[] = ['operator_admin', 'analyst', 'helpdesk', 'subscriber_admin', 'subscriber_member'];

export function alertRoutes({ alerts }: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/alerts',
      {
        config: { access: { roles: ALERT_READERS } },
        schema: { tags: ['alerts'], summary: 'Stored alerts, newest first (observedAt, then id); pass nextCursor to get the next page', querystring: AlertQuery, response: { 200: AlertPage } },
      },
      async (request) => alerts.list(scopeOf(request), request.query),
    );
    app.get(
      '/sensors/:id/ingest-counters',
      {
        config: { access: { roles: ALERT_READERS } },
        schema: {
          tags: ['alerts'],
          summary: "What ingest counted for this sensor: accepted, duplicates, rejected, suppressed",
          params: z.object({ id: z.uuid() }),
          response: { 200: SensorIngestCounters },
        },
      },
      async (request) => alerts.counters(scopeOf(request), request.params.id),
    );
  };
}
