import {
  IncidentAssign,
  IncidentCustomerText,
  IncidentDetach,
  IncidentDetail,
  IncidentMerge,
  IncidentNoteCreate,
  IncidentPage,
  IncidentQuery,
  IncidentSplit,
  IncidentTaskCreate,
  IncidentTransition,
} from '@otasuke/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requestContext, scopeOf } from '../http/accessGuard.ts';
import type { Services } from '../http/services.ts';

/** Operator staff read every incident; a subscriber's people read their own (owner-facing text only). */
export const incidentReaders = { roles: ['operator_admin', 'analyst', 'helpdesk', 'subscriber_admin', 'subscriber_member'] } as const;
/** Triage is the analysts' work. */
export const incidentAnalysts = { roles: ['operator_admin', 'analyst'] } as const;
const IdParam = z.object({ id: z.uuid() });
const tags = ['incidents'];

export function incidentRoutes({ incidents }: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/incidents',
      { config: { access: incidentReaders }, schema: { tags, summary: 'The incident queue (keyset pages: pass `nextCursor` back as `cursor`)', querystring: IncidentQuery, response: { 200: IncidentPage } } },
      async (request) => incidents.list(scopeOf(request), request.query),
    );
    app.get(
      '/incidents/:id',
      { config: { access: incidentReaders }, schema: { tags, summary: 'One incident: alert groups, evidence, notes, tasks, timeline, related incidents (staff); the owner text (everyone)', params: IdParam, response: { 200: IncidentDetail } } },
      async (request) => incidents.get(scopeOf(request), request.params.id),
    );
    app.post(
      '/incidents/:id/transition',
      { config: { access: incidentAnalysts }, schema: { tags, summary: 'Move the status (new → acknowledged → investigating → customer_notified → resolved; resolved → investigating reopens)', params: IdParam, body: IncidentTransition, response: { 200: IncidentDetail } } },
      async (request) => incidents.transition(requestContext(request), request.params.id, request.body),
    );
    app.post(
      '/incidents/:id/assign',
      { config: { access: incidentAnalysts }, schema: { tags, summary: 'Assign to an analyst (null to unassign)', params: IdParam, body: IncidentAssign, response: { 200: IncidentDetail } } },
      async (request) => incidents.assign(requestContext(request), request.params.id, request.body.assigneeUserId),
    );
    app.post(
      '/incidents/:id/notes',
      { config: { access: incidentAnalysts }, schema: { tags, summary: 'Add an analyst note', params: IdParam, body: IncidentNoteCreate, response: { 200: IncidentDetail } } },
      async (request) => incidents.addNote(requestContext(request), request.params.id, request.body.body),
    );
    app.post(
      '/incidents/:id/tasks',
      { config: { access: incidentAnalysts }, schema: { tags, summary: 'Add a checklist task (`title`) or tick one (`taskId`, `done`)', params: IdParam, body: IncidentTaskCreate, response: { 200: IncidentDetail } } },
      async (request) => incidents.task(requestContext(request), request.params.id, request.body),
    );
    app.post(
      '/incidents/:id/merge',
      { config: { access: incidentAnalysts }, schema: { tags, summary: 'Merge other incidents of the same subscriber into this one', params: IdParam, body: IncidentMerge, response: { 200: IncidentDetail } } },
      async (request) => incidents.merge(requestContext(request), request.params.id, request.body.sourceIds),
    );
    app.post(
      '/incidents/:id/split',
      { config: { access: incidentAnalysts }, schema: { tags, summary: 'Move the given alerts into a new incident (answers the new one)', params: IdParam, body: IncidentSplit, response: { 200: IncidentDetail } } },
      async (request) => incidents.split(requestContext(request), request.params.id, request.body.alertIds, 'split'),
    );
    app.post(
      '/incidents/:id/detach',
      { config: { access: incidentAnalysts }, schema: { tags, summary: 'Move one alert into an incident of its own (answers the new one)', params: IdParam, body: IncidentDetach, response: { 200: IncidentDetail } } },
      async (request) => incidents.split(requestContext(request), request.params.id, [request.body.alertId], 'detach'),
    );
    app.put(
      '/incidents/:id/customer-text',
      { config: { access: incidentAnalysts }, schema: { tags, summary: 'Edit the text the owner will receive (null restores the standard text)', params: IdParam, body: IncidentCustomerText, response: { 200: IncidentDetail } } },
      async (request) => incidents.setCustomerText(requestContext(request), request.params.id, request.body),
    );
  };
}
