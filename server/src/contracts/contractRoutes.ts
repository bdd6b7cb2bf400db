import { Contract, ContractCancel, ContractCreate, ContractEvent, ContractPlanChange, MembershipVerification, Plan, roles } from '@otasuke/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requestContext, scopeOf } from '../http/accessGuard.ts';
import type { Services } from '../http/services.ts';

/** Operator staff see every contract; a subscriber's admin sees its own. Only operator_admin changes them. */
export const contractReaders = { roles: ['operator_admin', 'analyst', 'helpdesk', 'subscriber_admin'] } as const;
const operatorAdmin = { roles: ['operator_admin'] } as const;
const IdParam = z.object({ id: z.uuid() });
const tags = ['contracts'];

export function contractRoutes({ contracts }: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/plans', { config: { access: { roles } }, schema: { tags, summary: 'Plans and their prices (tax excluded), newest price first', response: { 200: z.array(Plan) } } }, async () => contracts.listPlans());
    app.get(
      '/contracts',
      { config: { access: contractReaders }, schema: { tags, summary: 'Contracts you can see', querystring: z.object({ organizationId: z.uuid().optional() }), response: { 200: z.array(Contract) } } },
      async (request) => contracts.list(scopeOf(request), request.query.organizationId),
    );
    app.post(
      '/contracts',
      { config: { access: operatorAdmin }, schema: { tags, summary: 'Create the contract of a subscriber', body: ContractCreate, response: { 201: Contract } } },
      async (request, reply) => reply.status(201).send(await contracts.create(requestContext(request), request.body)),
    );
    app.get('/contracts/:id', { config: { access: contractReaders }, schema: { tags, params: IdParam, response: { 200: Contract } } }, async (request) => contracts.get(scopeOf(request), request.params.id));
    app.get(
      '/contracts/:id/history',
      { config: { access: contractReaders }, schema: { tags, summary: 'Every change of the contract', params: IdParam, response: { 200: z.array(ContractEvent) } } },
      async (request) => contracts.history(scopeOf(request), request.params.id),
    );
    app.post(
      '/contracts/:id/cancel',
      { config: { access: operatorAdmin }, schema: { tags, summary: 'Cancel with an end date (last day of service)', params: IdParam, body: ContractCancel, response: { 200: Contract } } },
      async (request) => contracts.cancel(requestContext(request), request.params.id, request.body),
    );
    app.post(
      '/contracts/:id/plan',
      { config: { access: operatorAdmin }, schema: { tags, summary: 'Change the plan', params: IdParam, body: ContractPlanChange, response: { 200: Contract } } },
      async (request) => contracts.changePlan(requestContext(request), request.params.id, request.body),
    );
    app.post(
      '/contracts/:id/membership-verification',
      { config: { access: operatorAdmin }, schema: { tags, summary: 'Record the check of the chamber membership', params: IdParam, body: MembershipVerification, response: { 200: Contract } } },
      async (request) => contracts.verifyMembership(requestContext(request), request.params.id, request.body),
    );
  };
}
