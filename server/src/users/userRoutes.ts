import { User, UserCreate, UserUpdate } from '@otasuke/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requestContext, scopeOf } from '../http/accessGuard.ts';
import type { Services } from '../http/services.ts';

const admins = { roles: ['operator_admin', 'subscriber_admin'] } as const;
const IdParam = z.object({ id: z.uuid() });

export function userRoutes({ users }: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/users',
      { config: { access: admins }, schema: { tags: ['users'], querystring: z.object({ organizationId: z.uuid().optional() }), response: { 200: z.array(User) } } },
      async (request) => users.list(scopeOf(request), request.query.organizationId),
    );
    app.post(
      '/users',
      { config: { access: admins }, schema: { tags: ['users'], body: UserCreate, response: { 201: User } } },
      async (request, reply) => reply.status(201).send(await users.create(requestContext(request), request.body)),
    );
    app.get(
      '/users/:id',
      { config: { access: admins }, schema: { tags: ['users'], params: IdParam, response: { 200: User } } },
      async (request) => users.get(scopeOf(request), request.params.id),
    );
    app.patch(
      '/users/:id',
      { config: { access: admins }, schema: { tags: ['users'], params: IdParam, body: UserUpdate, response: { 200: User } } },
      async (request) => users.update(requestContext(request), request.params.id, request.body),
    );
    app.delete(
      '/users/:id',
      { config: { access: admins }, schema: { tags: ['users'], params: IdParam, response: { 204: z.null() } } },
      async (request, reply) => {
        await users.delete(requestContext(request), request.params.id);
        return reply.status(204).send(null);
      },
    );
  };
}
