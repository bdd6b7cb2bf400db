import { DetectionStats, DetectionStatsQuery } from '@otasuke/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { scopeOf } from '../http/accessGuard.ts';
import type { Services } from '../http/services.ts';
import { MonthlyDetections, MonthlyDetectionsQuery, TopSignatures, TopSignaturesQuery } from './statsSchemas.ts';

/** The programme's figures are the operator's. */
const operatorStaff = { roles: ['operator_admin', 'analyst', 'helpdesk'] } as const;
const tags = ['stats'];

export function statsRoutes({ stats }: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/stats/detections',
      { config: { access: operatorStaff }, schema: { tags, summary: 'Detections of the period: inbound / outbound × total, IPS, virus (the seed\'s table)', querystring: DetectionStatsQuery, response: { 200: DetectionStats } } },
      async (request) => stats.detections(scopeOf(request), request.query),
    );
    app.get(
      '/stats/detections.csv',
      { config: { access: operatorStaff }, schema: { tags, summary: 'The same table as CSV (UTF-8 with BOM)', querystring: DetectionStatsQuery, produces: ['text/csv'], response: { 200: z.string() } } },
      async (request, reply) =>
        reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="detections-${request.query.from}-${request.query.to}.csv"`)
          .send(await stats.detectionsCsv(scopeOf(request), request.query)),
    );
    app.get(
      '/stats/top-signatures',
      { config: { access: operatorStaff }, schema: { tags, summary: 'The signatures detected most often in the period (counted like the detection table)', querystring: TopSignaturesQuery, response: { 200: TopSignatures } } },
      async (request) => stats.topSignatures(scopeOf(request), request.query),
    );
    app.get(
      '/stats/monthly',
      { config: { access: operatorStaff }, schema: { tags, summary: 'The detection table of each calendar month of the period (at most 24 months)', querystring: MonthlyDetectionsQuery, response: { 200: MonthlyDetections } } },
      async (request) => stats.monthly(scopeOf(request), request.query),
    );
  };
}
