import { Suppression, SuppressionCreate, SuppressionUpdate } from '@otasuke/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requestContext, scopeOf } from '../http/accessGuard.ts';
import type { Services } from '../http/services.ts';

const analysts = { roles: ['operator_admin', 'analyst'] } as const;
const IdParam = z.object({ id: z.uuid() });
const tags = ['suppressions'];

export function suppressionRoutes({ suppressions }: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/suppressions',
      { config: { access: analysts }, schema: { tags, summary: 'Suppressions with their hit counts', querystring: z.object({ includeDeleted: z.coerce.boolean().default(false) }), response: { 200: z.array(Suppression) } } },
      async (request) => suppressions.list(scopeOf(request), request.query.includeDeleted),
    );
    app.post(
      '/suppressions',
      { config: { access: analysts }, schema: { tags, summary: 'Create a suppression (from an alert with `fromAlertId`: its subscriber, signature and inside host)', body: SuppressionCreate, response: { 201: Suppression } } },
      async (request, reply) => reply.status(201).send(await suppressions.create(requestContext(request), request.body)),
    );
    app.patch(
      '/suppressions/:id',
      { config: { access: analysts }, schema: { tags, summary: 'Change the reason or the expiry', params: IdParam, body: SuppressionUpdate, response: { 200: Suppression } } },
      async (request) => suppressions.update(requestContext(request), request.params.id, request.body),
    );
    app.delete(
      '/suppressions/:id',
      { config: { access: analysts }, schema: { tags, summary: 'End a suppression (kept with its hit count)', params: IdParam, response: { 200: Suppression } } },
      async (request) => suppressions.remove(requestContext(request), request.params.id),
    );
  };
}
