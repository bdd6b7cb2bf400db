/**
 * Notifications: a subscriber's contacts (primary and backup) and webhooks, the customer's
 * acknowledgement of an incident, and the log of every send (for analysts).
 */
import { z } from 'zod';
import { Locale } from './users.ts';

/** Channels a contact can be reached on. Only email exists today; sms, phone and line are planned. */
export const NotificationChannelKind = z.enum(['email', 'webhook', 'sms', 'phone', 'line']).meta({ id: 'NotificationChannelKind' });
export type NotificationChannelKind = z.infer<typeof NotificationChannelKind>;

export const NotificationContactCreate = z
  .object({
    role: z.enum(['primary', 'backup']).describe('primary is told first; backup when nobody acknowledges'),
    name: z.string().trim().min(1).max(100),
    email: z.email().max(254).nullable().default(null),
    phone: z.string().regex(/^0\d{1,4}-?\d{1,4}-?\d{3,4}$/, 'a Japanese phone number such as 06-1234-5678').nullable().default(null),
    locale: Locale.default('ja'),
    channels: z.array(z.enum(['email'])).min(1).default(['email']).describe('email only for now'),
  })
  .refine((c) => !c.channels.includes('email') || c.email !== null, { message: 'an email address is needed for the email channel', path: ['email'] })
  .meta({ id: 'NotificationContactCreate' });
export type NotificationContactCreate = z.infer<typeof NotificationContactCreate>;

export const NotificationContact = z
  .object({
    id: z.uuid(),
    organizationId: z.uuid(),
    role: z.enum(['primary', 'backup']),
    name: z.string(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    locale: Locale,
    channels: z.array(z.string()),
    createdAt: z.iso.datetime({ offset: true }),
  })
  .meta({ id: 'NotificationContact' });
export type NotificationContact = z.infer<typeof NotificationContact>;

export const NotificationWebhookCreate = z
  .object({
    url: z.url({ protocol: /^https?$/ }).max(2000),
    secret: z.string().min(16, 'at least 16 characters; it signs every POST (HMAC-SHA256)').max(200),
    enabled: z.boolean().default(true),
  })
  .meta({ id: 'NotificationWebhookCreate' });
export type NotificationWebhookCreate = z.infer<typeof NotificationWebhookCreate>;

export const NotificationWebhook = z
  .object({ id: z.uuid(), organizationId: z.uuid(), url: z.string(), enabled: z.boolean(), createdAt: z.iso.datetime({ offset: true }) })
  .meta({ id: 'NotificationWebhook' });
export type NotificationWebhook = z.infer<typeof NotificationWebhook>;

export const NotificationLogEntry = z
  .object({
    id: z.number().int(),
    organizationId: z.uuid(),
    incidentId: z.uuid().nullable(),
    purpose: z.string().describe('incident, reminder, escalation, update, all_quiet'),
    channel: z.string(),
    target: z.string(),
    status: z.enum(['sent', 'queued', 'failed']).describe('queued: handed to the mail outbox'),
    attempts: z.number().int(),
    error: z.string().nullable(),
    at: z.iso.datetime({ offset: true }),
  })
  .meta({ id: 'NotificationLogEntry' });
export type NotificationLogEntry = z.infer<typeof NotificationLogEntry>;

export const NotificationLogQuery = z.object({
  organizationId: z.uuid().optional(),
  incidentId: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type NotificationLogQuery = z.infer<typeof NotificationLogQuery>;

export const IncidentAcknowledgement = z
  .object({ incidentId: z.uuid(), acknowledgedAt: z.iso.datetime({ offset: true }), alreadyAcknowledged: z.boolean() })
  .meta({ id: 'IncidentAcknowledgement' });
export type IncidentAcknowledgement = z.infer<typeof IncidentAcknowledgement>;
