import { ApiToken, ApiTokenCreate, ApiTokenCreated } from '@otasuke/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requestContext, scopeOf } from '../http/accessGuard.ts';
import type { Services } from '../http/services.ts';

const admins = { roles: ['operator_admin', 'subscriber_admin'] } as const;

export function apiTokenRoutes({ apiTokens }: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api-tokens',
      { config: { access: admins }, schema: { tags: ['api-tokens'], summary: "Your organization's API tokens", response: { 200: z.array(ApiToken) } } },
      async (request) => apiTokens.list(scopeOf(request)),
    );
    app.post(
      '/api-tokens',
      { config: { access: admins }, schema: { tags: ['api-tokens'], summary: 'Create an API token (the secret is shown once)', body: ApiTokenCreate, response: { 201: ApiTokenCreated } } },
      async (request, reply) => reply.status(201).send(await apiTokens.create(requestContext(request), request.body.name)),
    );
    app.post(
      '/api-tokens/:id/revoke',
      { config: { access: admins }, schema: { tags: ['api-tokens'], params: z.object({ id: z.uuid() }), response: { 200: ApiToken } } },
      async (request) => apiTokens.revoke(requestContext(request), request.params.id),
    );
  };
}
