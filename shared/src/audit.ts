import { z } from 'zod';

export const AuditEntry = z
  .object({
    id: z.string(),
    at: z.iso.datetime(),
    actorUserId: z.uuid().nullable(),
    actorTokenId: z.uuid().nullable(),
    organizationId: z.uuid().nullable(),
    action: z.string(),
    targetType: z.string().nullable(),
    targetId: z.string().nullable(),
    ip: z.string().nullable(),
    requestId: z.string().nullable(),
    details: z.record(z.string(), z.unknown()).nullable(),
  })
  .meta({ id: 'AuditEntry' });
export type AuditEntry = z.infer<typeof AuditEntry>;

export const AuditQuery = z.object({
  organizationId: z.uuid().optional(),
  actorUserId: z.uuid().optional(),
  action: z.string().max(100).optional(),
  from: z.iso.datetime().optional(),
  to: z.iso.datetime().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z.coerce.number().int().positive().optional().describe('cursor: entries with id below this'),
});
export type AuditQuery = z.infer<typeof AuditQuery>;

export const MailStatus = z.enum(['pending', 'sent', 'failed', 'held']);
export const MailCharset = z.enum(['utf-8', 'iso-2022-jp']);
export type MailCharset = z.infer<typeof MailCharset>;

export const OutboxMail = z
  .object({
    id: z.uuid(),
    organizationId: z.uuid().nullable(),
    to: z.string(),
    subject: z.string(),
    text: z.string(),
    charset: MailCharset,
    status: MailStatus,
    attempts: z.number().int(),
    lastError: z.string().nullable(),
    createdAt: z.iso.datetime(),
    sentAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'OutboxMail' });
export type OutboxMail = z.infer<typeof OutboxMail>;
