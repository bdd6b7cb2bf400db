import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { scopeOf } from '../http/accessGuard.ts';
import type { Services } from '../http/services.ts';
import { SubscriberDetail, SubscriberDirectoryPage, SubscriberDirectoryQuery } from './subscriberDirectorySchemas.ts';

/** The directory gathers every subscriber's contract, sensors and contacts: the operator's administrators only. */
const operatorAdmin = { roles: ['operator_admin'] } as const;
const tags = ['subscriberDirectory'];

export function subscriberDirectoryRoutes({ subscriberDirectory }: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/subscriber-directory',
      { config: { access: operatorAdmin }, schema: { tags, summary: 'Subscribers with contract state, sensors online/total, open incidents and last alert (search, paging)', querystring: SubscriberDirectoryQuery, response: { 200: SubscriberDirectoryPage } } },
      async (request) => subscriberDirectory.list(scopeOf(request), request.query),
    );
    app.get(
      '/subscriber-directory/:id',
      {
        config: { access: operatorAdmin },
        schema: { tags, summary: "One subscriber's page: sites, sensors with their last 24 hours, contacts, recent incidents, open enrollment codes", params: z.object({ id: z.uuid() }), response: { 200: SubscriberDetail } },
      },
      async (request) => subscriberDirectory.get(scopeOf(request), request.params.id),
    );
  };
}
