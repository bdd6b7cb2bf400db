import { KpiQuery, SubscriberKpis } from '@otasuke/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { scopeOf } from '../http/accessGuard.ts';
import type { Services } from '../http/services.ts';

/** Revenue and churn are the operator's business figures: its administrators only. */
const operatorAdmin = { roles: ['operator_admin'] } as const;
const tags = ['kpi'];

export function kpiRoutes({ kpi }: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/kpi/subscribers',
      { config: { access: operatorAdmin }, schema: { tags, summary: 'Programme KPIs per month: subscribers vs target, membership, area, churn, MRR, invoiced, paid, overdue', querystring: KpiQuery, response: { 200: SubscriberKpis } } },
      async (request) => kpi.subscribers(scopeOf(request), request.query),
    );
  };
}
