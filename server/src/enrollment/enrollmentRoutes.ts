import { EnrollmentCode, EnrollmentCodeCreate, Sensor, SensorEnrollRequest, SensorEnrollment } from '@otasuke/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requestContext, sensorOf } from '../http/accessGuard.ts';
import type { Services } from '../http/services.ts';

const admins = { roles: ['operator_admin', 'subscriber_admin'] } as const;
const IdParam = z.object({ id: z.uuid() });

export function enrollmentRoutes({ enrollment }: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/sites/:id/enrollment-codes',
      {
        config: { access: admins },
        schema: {
          tags: ['sensors'],
          summary: 'Create a one-time enrollment code (7 days) for a new sensor at this site, or to re-enroll one of its sensors',
          params: IdParam,
          body: EnrollmentCodeCreate,
          response: { 201: EnrollmentCode },
        },
      },
      async (request, reply) => reply.status(201).send(await enrollment.createCode(requestContext(request), request.params.id, request.body)),
    );
    app.post(
      '/enrollment-codes/:id/revoke',
      {
        config: { access: admins },
        schema: { tags: ['sensors'], summary: 'Revoke an enrollment code that has not been used yet (it stops working at once)', params: IdParam, response: { 204: z.null() } },
      },
      async (request, reply) => {
        await enrollment.revokeCode(requestContext(request), request.params.id);
        return reply.status(204).send(null);
      },
    );
    app.post(
      '/sensors/enroll',
      {
        config: { access: { public: true } },
        schema: { tags: ['sensors'], summary: "Exchange an enrollment code for the sensor's own credential (single use)", body: SensorEnrollRequest, response: { 200: SensorEnrollment } },
      },
      async (request) => enrollment.enroll(requestContext(request), request.body),
    );
    app.get(
      '/sensors/me',
      {
        config: { access: { sensor: true } },
        schema: { tags: ['sensors'], summary: "The calling sensor's own record (sensor credential)", security: [{ sensorCredential: [] }], response: { 200: Sensor } },
      },
      async (request) => enrollment.me(sensorOf(request)),
    );
  };
}
