import { SensorHealthHistory, SensorHealthQuery, SensorHeartbeat } from '@otasuke/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requestContext, sensorOf } from '../http/accessGuard.ts';
import type { Services } from '../http/services.ts';

/** Operator staff see every sensor's health; a subscriber's people only their own organization's. */
export const healthReaders = { roles: ['operator_admin', 'analyst', 'helpdesk', 'subscriber_admin', 'subscriber_member'] } as const;

export function sensorHealthRoutes({ sensorHealth }: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/sensors/me/heartbeat',
      {
        config: { access: { sensor: true } },
        schema: { tags: ['sensors'], summary: "The sensor's heartbeat (every 60 s)", security: [{ sensorCredential: [] }], body: SensorHeartbeat, response: { 204: z.null() } },
      },
      async (request, reply) => {
        await sensorHealth.heartbeat(sensorOf(request), request.body);
        return reply.status(204).send(null);
      },
    );
    app.get(
      '/sensors/:id/health',
      {
        config: { access: healthReaders },
        schema: {
          tags: ['sensors'],
          summary: "A sensor's health history (default: the last 24 h; at most 500 points, averaged per bucket for long ranges)",
          params: z.object({ id: z.uuid() }),
          querystring: SensorHealthQuery,
          response: { 200: SensorHealthHistory },
        },
      },
      async (request) => sensorHealth.history(requestContext(request), request.params.id, request.query),
    );
  };
}
