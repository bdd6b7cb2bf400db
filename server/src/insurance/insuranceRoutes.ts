import { Claim, ClaimCommentCreate, ClaimCreate, ClaimOutcome, InsurancePolicy, InsurancePolicyUpdate } from '@otasuke/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requestContext, scopeOf } from '../http/accessGuard.ts';
import type { Services } from '../http/services.ts';
import { ClaimSummary } from './claimSummary.ts';

export const claimReaders = { roles: ['operator_admin', 'analyst', 'helpdesk', 'subscriber_admin', 'subscriber_member', 'insurer_staff'] } as const;
const claimFilers = { roles: ['operator_admin', 'helpdesk', 'subscriber_admin', 'subscriber_member'] } as const;
const IdParam = z.object({ id: z.uuid() });
const tags = ['insurance'];
const binary = z.any().meta({ type: 'string', format: 'binary' });

export function insuranceRoutes({ insurance }: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/insurance/policies',
      { config: { access: claimReaders }, schema: { tags, summary: 'Policies (staff: all; subscribers: their own; insurers: those they underwrite)', response: { 200: z.array(InsurancePolicy) } } },
      async (request) => insurance.policies(scopeOf(request)),
    );
    app.put(
      '/insurance/policies/:id',
      { config: { access: { roles: ['operator_admin'] } }, schema: { tags, summary: 'Set the insurer, coverage items and limits, and period end of a policy', params: IdParam, body: InsurancePolicyUpdate, response: { 200: InsurancePolicy } } },
      async (request) => insurance.updatePolicy(requestContext(request), request.params.id, request.body),
    );
    app.post(
      '/insurance/claims',
      { config: { access: claimFilers }, schema: { tags, summary: 'File a claim for an incident (the evidence pack is assembled now)', body: ClaimCreate, response: { 200: Claim } } },
      async (request) => insurance.file(requestContext(request), request.body),
    );
    app.get(
      '/insurance/claims',
      { config: { access: claimReaders }, schema: { tags, summary: 'Claims (insurers: only those filed with them)', querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }), response: { 200: z.array(Claim) } } },
      async (request) => insurance.list(scopeOf(request), request.query.limit),
    );
    app.get(
      '/insurance/claims/:id',
      { config: { access: claimReaders }, schema: { tags, summary: 'One claim with its questions and outcome', params: IdParam, response: { 200: Claim } } },
      async (request) => insurance.get(scopeOf(request), request.params.id),
    );
    app.get(
      '/insurance/claims/:id/evidence-pack',
      { config: { access: claimReaders }, schema: { tags, summary: 'The evidence pack (ZIP: summary.pdf, incident, timeline, alerts with hashes, notifications, tickets, dispatch, manifest)', params: IdParam, produces: ['application/zip'], response: { 200: binary } } },
      async (request, reply) => {
        const pack = await insurance.evidencePack(scopeOf(request), request.params.id);
        return reply.type('application/zip').header('content-disposition', `attachment; filename="${pack.fileName}"`).send(pack.bytes);
      },
    );
    app.get(
      '/insurance/claims/:id/summary',
      { config: { access: claimReaders }, schema: { tags, summary: 'The claim’s policy and coverage, the incident as filed, and the evidence pack’s contents', params: IdParam, response: { 200: ClaimSummary } } },
      async (request) => insurance.summary(scopeOf(request), request.params.id),
    );
    app.post(
      '/insurance/claims/:id/comments',
      { config: { access: claimReaders }, schema: { tags, summary: 'A question or an answer on the claim', params: IdParam, body: ClaimCommentCreate, response: { 200: Claim } } },
      async (request) => insurance.comment(requestContext(request), request.params.id, request.body.body),
    );
    app.post(
      '/insurance/claims/:id/outcome',
      { config: { access: { roles: ['insurer_staff'] } }, schema: { tags, summary: 'The insurer’s decision and payment', params: IdParam, body: ClaimOutcome, response: { 200: Claim } } },
      async (request) => insurance.decide(requestContext(request), request.params.id, request.body),
    );
  };
}
