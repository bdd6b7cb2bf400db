import {
  IncidentAcknowledgement,
  NotificationContact,
  NotificationContactCreate,
  NotificationLogEntry,
  NotificationLogQuery,
  NotificationWebhook,
  NotificationWebhookCreate,
} from '@otasuke/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requestContext, scopeOf } from '../http/accessGuard.ts';
import type { Services } from '../http/services.ts';
import { ackPage } from './notificationTexts.ts';

/** A subscriber's admin manages its own contacts and webhooks; operator staff any subscriber's. */
export const contactManagers = { roles: ['operator_admin', 'analyst', 'helpdesk', 'subscriber_admin'] } as const;
/** The customer's acknowledgement in the console. */
export const acknowledgers = { roles: ['subscriber_admin', 'subscriber_member'] } as const;
/** The send log is for analysts. */
export const logReaders = { roles: ['operator_admin', 'analyst'] } as const;
const IdParam = z.object({ id: z.uuid() });
const NotificationSettings = z
  .object({ organizationId: z.uuid(), dailyDigest: z.boolean(), updatedAt: z.iso.datetime().nullable() })
  .meta({ id: 'NotificationSettings', description: "A subscriber's notification settings" });
const NotificationSettingsUpdate = z
  .object({ dailyDigest: z.boolean().meta({ description: 'Low-priority (P3) incidents in one Japanese mail each morning instead of none' }) })
  .strict()
  .meta({ id: 'NotificationSettingsUpdate' });
const tags = ['notifications'];

export function notificationRoutes({ notifications }: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/incidents/:id/acknowledge',
      { config: { access: acknowledgers }, schema: { tags, summary: 'The subscriber has read the incident: reminders and escalation stop', params: IdParam, response: { 200: IncidentAcknowledgement } } },
      async (request) => notifications.acknowledgeByUser(requestContext(request), request.params.id),
    );
    app.get(
      '/organizations/:id/notification-contacts',
      { config: { access: contactManagers }, schema: { tags, summary: "A subscriber's primary and backup contacts", params: IdParam, response: { 200: z.array(NotificationContact) } } },
      async (request) => notifications.listContacts(scopeOf(request), request.params.id),
    );
    app.post(
      '/organizations/:id/notification-contacts',
      { config: { access: contactManagers }, schema: { tags, summary: 'Add a contact (primary is told first; backup when nobody acknowledges)', params: IdParam, body: NotificationContactCreate, response: { 201: NotificationContact } } },
      async (request, reply) => reply.code(201).send(await notifications.createContact(requestContext(request), request.params.id, request.body)),
    );
    app.delete(
      '/notification-contacts/:id',
      { config: { access: contactManagers }, schema: { tags, summary: 'Remove a contact', params: IdParam, response: { 204: z.null() } } },
      async (request, reply) => {
        await notifications.deleteContact(requestContext(request), request.params.id);
        return reply.code(204).send(null);
      },
    );
    app.get(
      '/organizations/:id/notification-webhooks',
      { config: { access: contactManagers }, schema: { tags, summary: "A subscriber's webhooks (the secret is never shown again)", params: IdParam, response: { 200: z.array(NotificationWebhook) } } },
      async (request) => notifications.listWebhooks(scopeOf(request), request.params.id),
    );
    app.post(
      '/organizations/:id/notification-webhooks',
      {
        config: { access: contactManagers },
        schema: { tags, summary: 'Add a webhook (JSON POST signed with HMAC-SHA256 of `<timestamp>.<body>`; internal addresses are refused)', params: IdParam, body: NotificationWebhookCreate, response: { 201: NotificationWebhook } },
      },
      async (request, reply) => reply.code(201).send(await notifications.createWebhook(requestContext(request), request.params.id, request.body)),
    );
    app.delete(
      '/notification-webhooks/:id',
      { config: { access: contactManagers }, schema: { tags, summary: 'Remove a webhook', params: IdParam, response: { 204: z.null() } } },
      async (request, reply) => {
        await notifications.deleteWebhook(requestContext(request), request.params.id);
        return reply.code(204).send(null);
      },
    );
    app.get(
      '/organizations/:id/notification-settings',
      { config: { access: contactManagers }, schema: { tags, summary: "A subscriber's notification settings (the daily digest)", params: IdParam, response: { 200: NotificationSettings } } },
      async (request) => notifications.getSettings(scopeOf(request), request.params.id),
    );
    app.put(
      '/organizations/:id/notification-settings',
      { config: { access: contactManagers }, schema: { tags, summary: 'Turn the daily digest of low-priority incidents on or off', params: IdParam, body: NotificationSettingsUpdate, response: { 200: NotificationSettings } } },
      async (request) => notifications.setSettings(requestContext(request), request.params.id, request.body),
    );
    app.get(
      '/notification-log',
      { config: { access: logReaders }, schema: { tags, summary: 'Every send: channel, target, incident, status, attempts', querystring: NotificationLogQuery, response: { 200: z.array(NotificationLogEntry) } } },
      async (request) => notifications.log(scopeOf(request), request.query),
    );
  };
}

/** The one-click acknowledgement link of the mails (public: the token is the credential). */
export function acknowledgementLinkRoutes({ notifications }: Services): FastifyPluginAsyncZod {
  return async (app) => {
    const params = z.object({ token: z.string().max(200) });
    const statusOf = (outcome: string): number => (outcome === 'invalid' ? 404 : outcome === 'used' || outcome === 'expired' ? 410 : 200);
    // Opening the link shows a button; only pressing it (a POST) acknowledges — mail scanners and
    // link previews fetch links with GET.
    app.get('/ack/:token', { config: { access: { public: true } }, schema: { hide: true, params } }, async (request, reply) => {
      const { outcome, incidentTitle } = await notifications.checkAckToken(request.params.token);
      return reply.code(statusOf(outcome)).type('text/html; charset=utf-8').header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').send(ackPage(outcome, incidentTitle, request.params.token));
    });
    app.post('/ack/:token', { config: { access: { public: true } }, schema: { hide: true, params } }, async (request, reply) => {
      const { outcome, incidentTitle } = await notifications.acknowledgeByToken(request.params.token);
      return reply.code(statusOf(outcome)).type('text/html; charset=utf-8').header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').send(ackPage(outcome, incidentTitle));
    });
  };
}
