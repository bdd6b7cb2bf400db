import { Application, ApplicationApproval, ApplicationApprove, ApplicationCreate, ApplicationQuery, ApplicationReceipt, ApplicationReject, ApplicationRequestInfo } from '@otasuke/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requestContext, scopeOf } from '../http/accessGuard.ts';
import type { Services } from '../http/services.ts';

const operatorStaff = { roles: ['operator_admin', 'analyst', 'helpdesk'] } as const;
const operatorAdmin = { roles: ['operator_admin'] } as const;
const IdParam = z.object({ id: z.uuid() });
const tags = ['applications'];

export function applicationRoutes({ applications }: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/applications',
      { config: { access: { public: true } }, schema: { tags, summary: 'Apply for the service (public form)', security: [], body: ApplicationCreate, response: { 201: ApplicationReceipt } } },
      async (request, reply) => reply.status(201).send(await applications.submit(requestContext(request), request.body)),
    );
    app.get(
      '/applications',
      { config: { access: operatorStaff }, schema: { tags, summary: 'Applications to review', querystring: ApplicationQuery, response: { 200: z.array(Application) } } },
      async (request) => applications.list(scopeOf(request), request.query.status),
    );
    app.get('/applications/:id', { config: { access: operatorStaff }, schema: { tags, params: IdParam, response: { 200: Application } } }, async (request) => applications.get(scopeOf(request), request.params.id));
    app.post(
      '/applications/:id/approve',
      { config: { access: operatorAdmin }, schema: { tags, summary: 'Approve: creates the subscriber, its sites, admin (invited by mail), contract and insurance policy', params: IdParam, body: ApplicationApprove, response: { 200: ApplicationApproval } } },
      async (request) => applications.approve(requestContext(request), request.params.id, request.body),
    );
    app.post(
      '/applications/:id/request-info',
      { config: { access: operatorAdmin }, schema: { tags, summary: 'Ask the applicant for more information (mailed)', params: IdParam, body: ApplicationRequestInfo, response: { 200: Application } } },
      async (request) => applications.requestInfo(requestContext(request), request.params.id, request.body.message),
    );
    app.post(
      '/applications/:id/reject',
      { config: { access: operatorAdmin }, schema: { tags, summary: 'Reject (the applicant is told why)', params: IdParam, body: ApplicationReject, response: { 200: Application } } },
      async (request) => applications.reject(requestContext(request), request.params.id, request.body.reason),
    );
  };
}
