/**
 * Monitoring operations: incidents (alerts grouped by a deduplication key), their triage, the
 * suppressions that silence known-harmless alerts, and the programme's detection statistics.
 */
import { z } from 'zod';
import { IsoDate } from './billing.ts';
import { AlertDirection, AlertEngine, AlertFlowMetadata } from './ingest.ts';

export const incidentStatuses = ['new', 'acknowledged', 'investigating', 'customer_notified', 'resolved', 'merged'] as const;
export const IncidentStatus = z.enum(incidentStatuses).meta({ id: 'IncidentStatus' });
export type IncidentStatus = z.infer<typeof IncidentStatus>;

export const IncidentResolution = z.enum(['true_positive', 'false_positive', 'benign']).meta({ id: 'IncidentResolution' });
export type IncidentResolution = z.infer<typeof IncidentResolution>;

export const IncidentPriority = z.enum(['P1', 'P2', 'P3', 'P4']).meta({ id: 'IncidentPriority' });
export type IncidentPriority = z.infer<typeof IncidentPriority>;

export const incidentKinds = [
  'c2_communication',
  'malicious_site_access',
  'inbound_attack',
  'malware_file',
  'scan',
  'brute_force',
  'weak_tls',
  'cleartext_credentials',
  'dns_tunnel',
  'beaconing',
  'policy',
  'suspicious_activity',
  'sensor_health',
] as const;
export const IncidentKind = z.enum(incidentKinds).meta({ id: 'IncidentKind' });
export type IncidentKind = z.infer<typeof IncidentKind>;

const Cursor = z.string().max(512).regex(/^[A-Za-z0-9_-]+$/, 'cursor must be the `nextCursor` of a previous page');

export const IncidentQuery = z.object({
  status: z.array(IncidentStatus).or(IncidentStatus.transform((s) => [s])).optional().describe('one or more statuses; default: every status but resolved and merged'),
  priority: z.array(IncidentPriority).or(IncidentPriority.transform((p) => [p])).optional(),
  organizationId: z.uuid().optional(),
  direction: AlertDirection.optional(),
  engine: AlertEngine.optional(),
  assigneeUserId: z.uuid().optional(),
  from: z.iso.datetime({ offset: true }).optional().describe('last seen at or after'),
  to: z.iso.datetime({ offset: true }).optional().describe('last seen before'),
  sort: z.enum(['priority', 'recent']).default('priority').describe('priority: P1 first, then most recently seen; recent: most recently seen first'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: Cursor.optional(),
});
export type IncidentQuery = z.infer<typeof IncidentQuery>;

export const IncidentSummary = z
  .object({
    id: z.uuid(),
    organizationId: z.uuid(),
    organizationName: z.string(),
    siteId: z.uuid().nullable(),
    sensorId: z.uuid().nullable(),
    kind: IncidentKind,
    explain: z.string(),
    title: z.string().describe('the owner-facing title in the requested language'),
    direction: AlertDirection,
    engine: AlertEngine,
    insideHost: z.string().nullable(),
    peer: z.string().nullable(),
    severity: z.number().int(),
    priority: IncidentPriority,
    status: IncidentStatus,
    resolution: IncidentResolution.nullable(),
    alertCount: z.number().int(),
    firstSeenAt: z.iso.datetime({ offset: true }),
    lastSeenAt: z.iso.datetime({ offset: true }),
    assigneeUserId: z.uuid().nullable(),
    acknowledgeDueAt: z.iso.datetime({ offset: true }),
    notifyDueAt: z.iso.datetime({ offset: true }),
    acknowledgedAt: z.iso.datetime({ offset: true }).nullable(),
    customerNotifiedAt: z.iso.datetime({ offset: true }).nullable(),
    resolvedAt: z.iso.datetime({ offset: true }).nullable(),
    mergedIntoId: z.uuid().nullable(),
    createdAt: z.iso.datetime({ offset: true }),
  })
  .meta({ id: 'IncidentSummary' });
export type IncidentSummary = z.infer<typeof IncidentSummary>;

/** The subscriber's "I have read it" (the mail's one-click link, or the portal's button). */
export const CustomerAcknowledgement = z
  .object({
    at: z.iso.datetime({ offset: true }),
    via: z.enum(['mail_link', 'portal']).nullable().describe('null when the contact or user who acknowledged was deleted since'),
    by: z.string().nullable().describe('the contact (mail link) or the user (portal) by name; null when deleted since'),
  })
  .meta({ id: 'CustomerAcknowledgement' });
export type CustomerAcknowledgement = z.infer<typeof CustomerAcknowledgement>;

/** A row of the queue: the summary and whether the subscriber has acknowledged it. */
export const IncidentQueueItem = IncidentSummary.extend({ customerAcknowledgement: CustomerAcknowledgement.nullable() }).meta({ id: 'IncidentQueueItem' });
export type IncidentQueueItem = z.infer<typeof IncidentQueueItem>;

export const IncidentPage = z.object({ items: z.array(IncidentQueueItem), nextCursor: z.string().nullable() }).meta({ id: 'IncidentPage' });
export type IncidentPage = z.infer<typeof IncidentPage>;

/** One alert as evidence: what the sensor reported and the SHA-256 of its canonical JSON. */
export const IncidentEvidence = z
  .object({
    alertId: z.uuid(),
    observedAt: z.iso.datetime({ offset: true }),
    sensorId: z.uuid(),
    seq: z.number().int(),
    direction: AlertDirection,
    engine: AlertEngine,
    explain: z.string(),
    gid: z.number().int(),
    signatureId: z.number().int(),
    signature: z.string(),
    category: z.string(),
    severity: z.number().int(),
    srcIp: z.string(),
    srcPort: z.number().int().nullable(),
    destIp: z.string(),
    destPort: z.number().int().nullable(),
    proto: z.string(),
    appProto: z.string().nullable(),
    flow: AlertFlowMetadata.nullable(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .meta({ id: 'IncidentEvidence' });
export type IncidentEvidence = z.infer<typeof IncidentEvidence>;

/** Alerts of one incident grouped by signature, for the analyst's overview. */
export const IncidentAlertGroup = z
  .object({ gid: z.number().int(), signatureId: z.number().int(), signature: z.string(), count: z.number().int(), firstSeenAt: z.string(), lastSeenAt: z.string() })
  .meta({ id: 'IncidentAlertGroup' });

export const IncidentNote = z.object({ id: z.uuid(), authorUserId: z.uuid().nullable(), body: z.string(), createdAt: z.string() }).meta({ id: 'IncidentNote' });
export type IncidentNote = z.infer<typeof IncidentNote>;

export const IncidentTask = z
  .object({ id: z.uuid(), title: z.string(), done: z.boolean(), doneAt: z.string().nullable(), doneByUserId: z.uuid().nullable(), createdAt: z.string() })
  .meta({ id: 'IncidentTask' });
export type IncidentTask = z.infer<typeof IncidentTask>;

export const IncidentTimelineEntry = z
  .object({ at: z.string(), actorUserId: z.uuid().nullable(), kind: z.string(), details: z.record(z.string(), z.unknown()) })
  .meta({ id: 'IncidentTimelineEntry' });
export type IncidentTimelineEntry = z.infer<typeof IncidentTimelineEntry>;

export const OwnerText = z.object({ subject: z.string(), body: z.string() }).meta({ id: 'OwnerText' });
export type OwnerText = z.infer<typeof OwnerText>;

/** The full incident. Subscribers get `analysis: null`: they read the owner-facing text only. */
export const IncidentDetail = z
  .object({
    incident: IncidentSummary,
    ownerText: OwnerText,
    analysis: z
      .object({
        dedupKey: z.string(),
        signature: z.string().nullable(),
        alertGroups: z.array(IncidentAlertGroup),
        evidence: z.array(IncidentEvidence).describe('the most recent 200 alerts'),
        notes: z.array(IncidentNote),
        tasks: z.array(IncidentTask),
        timeline: z.array(IncidentTimelineEntry),
        related: z.array(IncidentSummary).describe('other incidents of the same subscriber with the same inside host or peer'),
        customerTextJa: z.string().nullable(),
        customerTextEn: z.string().nullable(),
      })
      .nullable(),
  })
  .meta({ id: 'IncidentDetail' });
export type IncidentDetail = z.infer<typeof IncidentDetail>;

export const IncidentTransition = z
  .object({
    to: IncidentStatus.exclude(['new', 'merged']).describe('resolved needs a resolution; investigating from resolved reopens'),
    resolution: IncidentResolution.optional(),
    note: z.string().min(1).max(4000).optional(),
  })
  .meta({ id: 'IncidentTransition' });
export type IncidentTransition = z.infer<typeof IncidentTransition>;

export const IncidentAssign = z.object({ assigneeUserId: z.uuid().nullable() }).meta({ id: 'IncidentAssign' });
export const IncidentNoteCreate = z.object({ body: z.string().trim().min(1).max(4000) }).meta({ id: 'IncidentNoteCreate' });
export const IncidentTaskCreate = z
  .object({ title: z.string().trim().min(1).max(500).optional(), taskId: z.uuid().optional(), done: z.boolean().optional() })
  .refine((t) => (t.title !== undefined) !== (t.taskId !== undefined), 'give `title` to add a task, or `taskId` and `done` to tick one')
  .meta({ id: 'IncidentTaskCreate' });
export const IncidentMerge = z.object({ sourceIds: z.array(z.uuid()).min(1).max(100) }).meta({ id: 'IncidentMerge' });
export const IncidentSplit = z.object({ alertIds: z.array(z.uuid()).min(1).max(10_000) }).meta({ id: 'IncidentSplit' });
export const IncidentDetach = z.object({ alertId: z.uuid() }).meta({ id: 'IncidentDetach' });
export const IncidentCustomerText = z
  .object({ customerTextJa: z.string().max(8000).nullable(), customerTextEn: z.string().max(8000).nullable() })
  .meta({ id: 'IncidentCustomerText' });
export type IncidentCustomerText = z.infer<typeof IncidentCustomerText>;

/* ---- suppressions ---- */

const Ip = z.union([z.ipv4(), z.ipv6()]);
const Cidr = z.union([z.cidrv4(), z.cidrv6()]);

export const SuppressionCreate = z
  .object({
    organizationId: z.uuid().nullable().optional().describe('the subscriber; null = every subscriber (global)'),
    gid: z.number().int().min(0).optional(),
    signatureId: z.number().int().min(0).optional(),
    insideHost: Ip.optional(),
    peer: Ip.optional(),
    cidr: Cidr.optional().describe('matches when the source or destination is inside it'),
    reason: z.string().trim().min(1).max(1000),
    expiresAt: z.iso.datetime({ offset: true }).nullable().optional(),
    fromAlertId: z.uuid().optional().describe('fill subscriber, signature, inside host and peer from this alert (the fields given win)'),
  })
  .meta({ id: 'SuppressionCreate' });
export type SuppressionCreate = z.infer<typeof SuppressionCreate>;

export const SuppressionUpdate = z
  .object({ reason: z.string().trim().min(1).max(1000).optional(), expiresAt: z.iso.datetime({ offset: true }).nullable().optional() })
  .meta({ id: 'SuppressionUpdate' });
export type SuppressionUpdate = z.infer<typeof SuppressionUpdate>;

export const Suppression = z
  .object({
    id: z.uuid(),
    organizationId: z.uuid().nullable(),
    gid: z.number().int().nullable(),
    signatureId: z.number().int().nullable(),
    insideHost: z.string().nullable(),
    peer: z.string().nullable(),
    cidr: z.string().nullable(),
    reason: z.string(),
    authorUserId: z.uuid().nullable(),
    expiresAt: z.string().nullable(),
    hitCount: z.number().int(),
    lastHitAt: z.string().nullable(),
    createdAt: z.string(),
    active: z.boolean(),
  })
  .meta({ id: 'Suppression' });
export type Suppression = z.infer<typeof Suppression>;

/* ---- statistics ---- */

export const DetectionStatsQuery = z.object({
  from: IsoDate.describe('first day of the period (Japan), YYYY-MM-DD'),
  to: IsoDate.describe('last day of the period (Japan), included'),
});
export type DetectionStatsQuery = z.infer<typeof DetectionStatsQuery>;

export const DetectionStatsRow = z
  .object({
    direction: z.enum(['inbound', 'outbound']),
    box: z.enum(['total', 'ips', 'virus']),
    label: z.string(),
    companies: z.number().int(),
    detections: z.number().int(),
    perCompanyMonth: z.number().describe('one decimal below 10, else an integer'),
  })
  .meta({ id: 'DetectionStatsRow' });
export type DetectionStatsRow = z.infer<typeof DetectionStatsRow>;

export const DetectionStats = z
  .object({
    from: IsoDate,
    to: IsoDate,
    monitoredCompanies: z.number().int(),
    averageMonitoringDays: z.number().int(),
    rows: z.array(DetectionStatsRow),
  })
  .meta({ id: 'DetectionStats' });
export type DetectionStats = z.infer<typeof DetectionStats>;
