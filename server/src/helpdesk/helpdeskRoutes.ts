import {
  CannedReply,
  CannedReplyCreate,
  CannedReplyUpdate,
  HelpdeskAgent,
  HelpRequestCreate,
  PhoneTicketCreate,
  RemoteSession,
  RemoteSessionEnd,
  Ticket,
  TicketCommentCreate,
  TicketCounts,
  TicketDetail,
  TicketQuery,
  TicketSatisfaction,
  TicketSubscriber,
  TicketUpdate,
} from '@otasuke/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requestContext, scopeOf } from '../http/accessGuard.ts';
import type { Services } from '../http/services.ts';

/** The help desk's agents (operator staff). */
export const deskStaff = { roles: ['operator_admin', 'analyst', 'helpdesk'] } as const;
/** The subscriber's people, who ask for help, consent and rate. */
export const subscriberPeople = { roles: ['subscriber_admin', 'subscriber_member'] } as const;
/** Who keeps the canned replies: the desk's own people and the operator's admins. */
export const cannedReplyEditors = { roles: ['operator_admin', 'helpdesk'] } as const;
export const ticketReaders = { roles: ['operator_admin', 'analyst', 'helpdesk', 'subscriber_admin', 'subscriber_member'] } as const;
const IdParam = z.object({ id: z.uuid() });
const tags = ['helpdesk'];

export function helpdeskRoutes({ helpdesk }: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/helpdesk/help-requests',
      { config: { access: subscriberPeople }, schema: { tags, summary: 'The portal help button: opens a ticket with the subscriber’s context (open incidents, recent alerts, sensor health, contract)', body: HelpRequestCreate, response: { 200: TicketDetail } } },
      async (request) => helpdesk.helpRequest(requestContext(request), request.body),
    );
    app.post(
      '/helpdesk/tickets',
      { config: { access: deskStaff }, schema: { tags, summary: 'Log a phone call as a ticket (the call counts as the first response)', body: PhoneTicketCreate, response: { 200: TicketDetail } } },
      async (request) => helpdesk.logPhoneCall(requestContext(request), request.body),
    );
    app.get(
      '/helpdesk/tickets',
      { config: { access: ticketReaders }, schema: { tags, summary: 'Tickets, newest first (staff: every subscriber and unassigned mail; customers: their own)', querystring: TicketQuery, response: { 200: z.array(Ticket) } } },
      async (request) => helpdesk.list(scopeOf(request), request.query),
    );
    app.get(
      '/helpdesk/ticket-counts',
      { config: { access: deskStaff }, schema: { tags, summary: 'The queue’s counters over active tickets: by status, SLA breached or due soon, unassigned', response: { 200: TicketCounts } } },
      async (request) => helpdesk.counts(scopeOf(request)),
    );
    app.get(
      '/helpdesk/agents',
      { config: { access: deskStaff }, schema: { tags, summary: 'Operator staff a ticket can be assigned to', response: { 200: z.array(HelpdeskAgent) } } },
      async () => helpdesk.agents(),
    );
    app.get(
      '/helpdesk/tickets/:id/subscriber',
      { config: { access: deskStaff }, schema: { tags, summary: 'The ticket’s subscriber now: sensor health, open incidents, recent alerts, contract, sites and contacts (for a dispatch), jobs made from the ticket', params: IdParam, response: { 200: TicketSubscriber } } },
      async (request) => helpdesk.subscriber(scopeOf(request), request.params.id),
    );
    app.get(
      '/helpdesk/tickets/:id',
      { config: { access: ticketReaders }, schema: { tags, summary: 'One ticket with comments (customers: replies only) and remote sessions', params: IdParam, response: { 200: TicketDetail } } },
      async (request) => helpdesk.get(scopeOf(request), request.params.id),
    );
    app.patch(
      '/helpdesk/tickets/:id',
      { config: { access: deskStaff }, schema: { tags, summary: 'Status, priority (re-times the SLA), category, assignee; attach an unassigned ticket to a subscriber', params: IdParam, body: TicketUpdate, response: { 200: TicketDetail } } },
      async (request) => helpdesk.update(requestContext(request), request.params.id, request.body),
    );
    app.post(
      '/helpdesk/tickets/:id/comments',
      { config: { access: ticketReaders }, schema: { tags, summary: 'Staff: an internal note, or a reply mailed to the customer; customers: a reply', params: IdParam, body: TicketCommentCreate, response: { 200: TicketDetail } } },
      async (request) => helpdesk.comment(requestContext(request), request.params.id, request.body),
    );
    app.post(
      '/helpdesk/tickets/:id/satisfaction',
      { config: { access: subscriberPeople }, schema: { tags, summary: 'Rate the help (1–5) once the ticket is resolved or closed', params: IdParam, body: TicketSatisfaction, response: { 200: TicketDetail } } },
      async (request) => helpdesk.rate(requestContext(request), request.params.id, request.body),
    );
    app.get(
      '/helpdesk/canned-replies',
      { config: { access: deskStaff }, schema: { tags, summary: 'Canned replies', response: { 200: z.array(CannedReply) } } },
      async () => helpdesk.cannedReplies(),
    );
    app.post(
      '/helpdesk/canned-replies',
      { config: { access: cannedReplyEditors }, schema: { tags, summary: 'Add a canned reply', body: CannedReplyCreate, response: { 200: CannedReply } } },
      async (request) => helpdesk.createCannedReply(requestContext(request), request.body),
    );
    app.patch(
      '/helpdesk/canned-replies/:id',
      { config: { access: cannedReplyEditors }, schema: { tags, summary: 'Edit a canned reply (replies already sent keep their text)', params: IdParam, body: CannedReplyUpdate, response: { 200: CannedReply } } },
      async (request) => helpdesk.updateCannedReply(requestContext(request), request.params.id, request.body),
    );
    app.delete(
      '/helpdesk/canned-replies/:id',
      { config: { access: cannedReplyEditors }, schema: { tags, summary: 'Delete a canned reply', params: IdParam, response: { 204: z.null() } } },
      async (request, reply) => {
        await helpdesk.deleteCannedReply(requestContext(request), request.params.id);
        return reply.code(204).send(null);
      },
    );
    app.post(
      '/helpdesk/tickets/:id/remote-sessions',
      { config: { access: deskStaff }, schema: { tags, summary: 'Propose a remote-support session (the customer must consent in the portal before it starts)', params: IdParam, response: { 200: RemoteSession } } },
      async (request) => helpdesk.requestRemoteSession(requestContext(request), request.params.id),
    );
    app.post(
      '/helpdesk/remote-sessions/:id/consent',
      { config: { access: subscriberPeople }, schema: { tags, summary: 'The customer consents to the remote session (who and when are recorded)', params: IdParam, response: { 200: RemoteSession } } },
      async (request) => helpdesk.consentRemoteSession(requestContext(request), request.params.id),
    );
    app.post(
      '/helpdesk/remote-sessions/:id/refuse',
      { config: { access: subscriberPeople }, schema: { tags, summary: 'The customer declines the remote session (it can then never start)', params: IdParam, response: { 200: RemoteSession } } },
      async (request) => helpdesk.refuseRemoteSession(requestContext(request), request.params.id),
    );
    app.post(
      '/helpdesk/remote-sessions/:id/start',
      { config: { access: deskStaff }, schema: { tags, summary: 'Start the remote session (refused without consent)', params: IdParam, response: { 200: RemoteSession } } },
      async (request) => helpdesk.startRemoteSession(requestContext(request), request.params.id),
    );
    app.post(
      '/helpdesk/remote-sessions/:id/end',
      { config: { access: deskStaff }, schema: { tags, summary: 'End the remote session with what was done', params: IdParam, body: RemoteSessionEnd, response: { 200: RemoteSession } } },
      async (request) => helpdesk.endRemoteSession(requestContext(request), request.params.id, request.body.summary),
    );
  };
}
