import { AuditEntry, AuditQuery, MailStatus, OutboxMail } from '@otasuke/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { scopeOf } from '../http/accessGuard.ts';
import type { Services } from '../http/services.ts';

export function auditRoutes({ audit, devMailbox }: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/audit-log',
      {
        config: { access: { roles: ['operator_admin', 'subscriber_admin'] } },
        schema: { tags: ['audit'], summary: 'Who changed what, newest first (operator admins see every tenant)', querystring: AuditQuery, response: { 200: z.array(AuditEntry) } },
      },
      async (request) => audit.list(scopeOf(request), request.query),
    );
    app.get(
      '/mail/outbox',
      {
        config: { access: { roles: ['operator_admin'] } },
        schema: {
          tags: ['mail'],
          summary: 'Dev mailbox: every outgoing mail as stored in the outbox',
          querystring: z.object({ status: MailStatus.optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }),
          response: { 200: z.array(OutboxMail) },
        },
      },
      async (request) => devMailbox.list(scopeOf(request), request.query),
    );
    app.get(
      '/mail/outbox/:id',
      { config: { access: { roles: ['operator_admin'] } }, schema: { tags: ['mail'], params: z.object({ id: z.uuid() }), response: { 200: OutboxMail } } },
      async (request) => devMailbox.get(scopeOf(request), request.params.id),
    );
  };
}
