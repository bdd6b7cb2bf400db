import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import { isReachable } from '../db/database.ts';
import type { Services } from '../http/services.ts';

const Health = z.object({ status: z.enum(['ok', 'unavailable']) });

/** Liveness, readiness (the database answers) and Prometheus metrics. Public: probes carry no credentials. */
export function healthRoutes({ db }: Services, metrics: Registry): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/healthz', { config: { access: { public: true } }, schema: { tags: ['health'], response: { 200: Health } } }, async () => ({ status: 'ok' as const }));
    app.get(
      '/readyz',
      { config: { access: { public: true } }, schema: { tags: ['health'], response: { 200: Health, 503: Health } } },
      async (_request, reply) => ((await isReachable(db)) ? { status: 'ok' as const } : reply.status(503).send({ status: 'unavailable' })),
    );
    app.get('/metrics', { config: { access: { public: true } }, schema: { tags: ['health'], hide: true } }, async (_request, reply) => {
      reply.header('content-type', metrics.contentType);
      return metrics.metrics();
    });
  };
}
