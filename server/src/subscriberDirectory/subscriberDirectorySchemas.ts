/** Schemas of the operator's subscriber directory (list and detail); they live beside the code that answers them. */
import { ContractStatus, Membership } from '@otasuke/shared';
import { z } from 'zod';

const Id = z.uuid();
const Instant = z.iso.datetime({ offset: true });

export const SubscriberDirectoryQuery = z.object({
  q: z.string().trim().max(100).optional().describe('part of the company name, its kana, prefecture or city'),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(25),
});
export type SubscriberDirectoryQuery = z.infer<typeof SubscriberDirectoryQuery>;

export const SubscriberContractState = z
  .object({ status: ContractStatus, planCode: Membership, startDate: z.iso.date(), endDate: z.iso.date().nullable(), membershipVerified: z.boolean() })
  .meta({ id: 'SubscriberContractState' });

export const SubscriberListItem = z
  .object({
    id: Id,
    name: z.string(),
    nameKana: z.string().nullable(),
    membership: Membership.nullable(),
    prefecture: z.string().nullable(),
    city: z.string().nullable(),
    /** The latest contract; null when the subscriber has none. */
    contract: SubscriberContractState.nullable(),
    sensorsOnline: z.number().int().describe('active sensors heard from in the last 10 minutes'),
    sensorsTotal: z.number().int().describe('sensors that are not revoked'),
    openIncidents: z.number().int(),
    lastAlertAt: Instant.nullable(),
  })
  .meta({ id: 'SubscriberListItem' });
export type SubscriberListItem = z.infer<typeof SubscriberListItem>;

export const SubscriberDirectoryPage = z
  .object({ items: z.array(SubscriberListItem), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() })
  .meta({ id: 'SubscriberDirectoryPage' });
export type SubscriberDirectoryPage = z.infer<typeof SubscriberDirectoryPage>;

export const SensorHealthHour = z
  .object({
    hour: Instant.describe('start of the hour'),
    heartbeats: z.number().int().describe('heartbeats received in the hour (60 when healthy)'),
    maxDropRate: z.number().nullable().describe('highest reported drop rate in the hour, 0–1; null without heartbeats'),
  })
  .meta({ id: 'SensorHealthHour' });
export type SensorHealthHour = z.infer<typeof SensorHealthHour>;

export const DirectorySensor = z
  .object({
    id: Id,
    siteId: Id,
    name: z.string(),
    status: z.enum(['pending', 'active', 'revoked']),
    online: z.boolean(),
    hostname: z.string().nullable(),
    agentVersion: z.string().nullable(),
    bundleVersion: z.string().nullable(),
    enrolledAt: Instant.nullable(),
    lastHeartbeatAt: Instant.nullable(),
    /** The last 24 hours, oldest first, one point per hour. */
    health: z.array(SensorHealthHour),
  })
  .meta({ id: 'DirectorySensor' });
export type DirectorySensor = z.infer<typeof DirectorySensor>;

export const DirectorySite = z
  .object({ id: Id, name: z.string(), postalCode: z.string().nullable(), address: z.string().nullable() })
  .meta({ id: 'DirectorySite' });

export const DirectoryContact = z
  .object({ id: Id, role: z.enum(['primary', 'backup']), name: z.string(), email: z.string().nullable(), phone: z.string().nullable(), channels: z.array(z.string()) })
  .meta({ id: 'DirectoryContact' });

export const DirectoryIncident = z
  .object({
    id: Id,
    priority: z.enum(['P1', 'P2', 'P3', 'P4']),
    status: z.string(),
    kind: z.string(),
    explain: z.string(),
    signature: z.string().nullable(),
    alertCount: z.number().int(),
    lastSeenAt: Instant,
  })
  .meta({ id: 'DirectoryIncident' });

/** An enrollment code not used, revoked or expired yet (the code itself is shown only when created). */
export const OpenEnrollmentCode = z
  .object({ id: Id, siteId: Id, sensorId: Id, sensorName: z.string(), createdAt: Instant, expiresAt: Instant })
  .meta({ id: 'OpenEnrollmentCode' });
export type OpenEnrollmentCode = z.infer<typeof OpenEnrollmentCode>;

export const SubscriberDetail = z
  .object({
    subscriber: SubscriberListItem,
    createdAt: Instant,
    sites: z.array(DirectorySite),
    sensors: z.array(DirectorySensor),
    contacts: z.array(DirectoryContact),
    /** The latest 10 incidents, newest first. */
    recentIncidents: z.array(DirectoryIncident),
    openEnrollmentCodes: z.array(OpenEnrollmentCode),
  })
  .meta({ id: 'SubscriberDetail' });
export type SubscriberDetail = z.infer<typeof SubscriberDetail>;
