/**
 * What a sensor sends to the monitoring server and what it gets back: uplink events (alerts with the
 * metadata of the flow that alerted — never payloads), heartbeats, and the signed rules/IOC bundle.
 * One schema per message, used by the sensor agent, the server's ingest and the console.
 */
import { z } from 'zod';

const Id = z.uuid();
const Ip = z.union([z.ipv4(), z.ipv6()]);
const Port = z.number().int().min(0).max(65535);
const Text = (max: number) => z.string().max(max);

export const AlertDirection = z.enum(['inbound', 'outbound', 'internal', 'external']).meta({ id: 'AlertDirection' });
export type AlertDirection = z.infer<typeof AlertDirection>;

/** `file` = the seed's "virus" box, the rest = "IPS". */
export const AlertEngine = z.enum(['rule', 'ioc', 'behaviour', 'file']).meta({ id: 'AlertEngine' });
export type AlertEngine = z.infer<typeof AlertEngine>;

/** Metadata of the flow that alerted: names, fingerprints, hashes — what identifies, not contents. */
export const AlertFlowMetadata = z
  .object({
    dns: z.object({ rrname: Text(253), rrtype: Text(16).optional() }).optional(),
    tls: z
      .object({
        sni: Text(253).optional(),
        version: Text(32).optional(),
        subject: Text(1024).optional(),
        issuer: Text(1024).optional(),
        fingerprint: Text(128).optional(),
        ja3: Text(32).optional(),
        ja3s: Text(32).optional(),
        ja4: Text(64).optional(),
      })
      .optional(),
    http: z
      .object({
        hostname: Text(253).optional(),
        url: Text(2048).optional(),
        method: Text(32).optional(),
        userAgent: Text(512).optional(),
        status: z.number().int().optional(),
      })
      .optional(),
    file: z
      .object({
        filename: Text(512),
        size: z.number().int().min(0).optional(),
        md5: z.string().regex(/^[0-9a-f]{32}$/).optional(),
        sha1: z.string().regex(/^[0-9a-f]{40}$/).optional(),
        sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
      })
      .optional(),
    ssh: z.object({ clientSoftware: Text(256).optional(), serverSoftware: Text(256).optional() }).optional(),
  })
  .meta({ id: 'AlertFlowMetadata' });
export type AlertFlowMetadata = z.infer<typeof AlertFlowMetadata>;

/** One alert as it leaves the sensor (from its EVE `alert` record). */
export const UplinkAlert = z
  .object({
    /** When the sensor saw it (packet time). */
    observedAt: z.iso.datetime({ offset: true }),
    flowId: Text(32).optional(),
    communityId: Text(64).optional(),
    srcIp: Ip,
    srcPort: Port.optional(),
    destIp: Ip,
    destPort: Port.optional(),
    proto: Text(16),
    appProto: Text(16).optional(),
    direction: AlertDirection,
    engine: AlertEngine,
    explain: Text(100),
    gid: z.number().int().min(0),
    signatureId: z.number().int().min(0),
    rev: z.number().int().min(0),
    signature: Text(512),
    category: Text(256),
    severity: z.number().int().min(1).max(3),
    /** The rest of `alert.metadata` (the rule's own, the IOC feed…). */
    metadata: z.record(z.string().max(100), z.array(z.string().max(512)).max(50)).optional(),
    flow: AlertFlowMetadata.optional(),
  })
  .meta({ id: 'UplinkAlert' });
export type UplinkAlert = z.infer<typeof UplinkAlert>;

/** One line of an ingest batch. (sensor, seq) is unique: the server ignores a repeated pair. */
export const SensorEvent = z
  .object({
    /** 1, 2, 3… per sensor, never reused (kept in the spool across restarts). */
    seq: z.number().int().min(1),
    kind: z.literal('alert'),
    alert: UplinkAlert,
  })
  .meta({ id: 'SensorEvent' });
export type SensorEvent = z.infer<typeof SensorEvent>;

/** Limits of `POST /api/v1/ingest/events` (gzip NDJSON of SensorEvent). */
export const INGEST_LIMITS = {
  maxEventsPerBatch: 5000,
  /** Compressed request body. */
  maxBatchBytes: 4 * 1024 * 1024,
  /** One decompressed line. */
  maxEventBytes: 64 * 1024,
} as const;

export const IngestRejection = z
  .object({ line: z.number().int().min(1), seq: z.number().int().optional(), reason: z.string() })
  .meta({ id: 'IngestRejection' });
export type IngestRejection = z.infer<typeof IngestRejection>;

/** The answer to a batch: every line is either accepted (new), a duplicate, or rejected with a reason.
 *  All three are final: the agent deletes them from its spool. */
export const IngestResult = z
  .object({
    accepted: z.number().int(),
    duplicates: z.number().int(),
    rejected: z.array(IngestRejection),
    /** Events the server suppressed (kept and counted, not raised). */
    suppressed: z.number().int().default(0),
  })
  .meta({ id: 'IngestResult' });
export type IngestResult = z.infer<typeof IngestResult>;

/** Sent every 60 s to `POST /api/v1/sensors/me/heartbeat`. */
export const SensorHeartbeat = z
  .object({
    sentAt: z.iso.datetime({ offset: true }),
    agentVersion: Text(64),
    /** Version of the rules/IOC bundle in use; null before the first one. */
    bundleVersion: Text(128).nullable(),
    uptimeSec: z.number().min(0),
    packetsPerSec: z.number().min(0),
    packetsTotal: z.number().int().min(0),
    dropsTotal: z.number().int().min(0),
    /** Dropped ÷ received over the last interval, 0–1. */
    dropRate: z.number().min(0).max(1),
    cpuPercent: z.number().min(0),
    memoryBytes: z.number().int().min(0),
    diskFreeBytes: z.number().int().min(0),
    spoolBacklogEvents: z.number().int().min(0),
    spoolBacklogBytes: z.number().int().min(0),
    /** Events the spool dropped for lack of space, since the agent first started. */
    spoolDropped: z.number().int().min(0),
  })
  .meta({ id: 'SensorHeartbeat' });
export type SensorHeartbeat = z.infer<typeof SensorHeartbeat>;

/** What the server keeps of a sensor's health (console, monitoring). */
export const SensorHealthSample = SensorHeartbeat.extend({ sensorId: Id, receivedAt: z.iso.datetime({ offset: true }) }).meta({
  id: 'SensorHealthSample',
});
export type SensorHealthSample = z.infer<typeof SensorHealthSample>;

/**
 * The rules/IOC bundle (`GET /api/v1/sensors/me/bundle`, ETag = version). The body is the gzip of
 * the JSON of BundleContent; header `x-otasuke-signature` carries the base64 Ed25519 signature of
 * those exact body bytes, made with the key whose public half the sensor got at enrollment
 * (`SensorEnrollment.bundlePublicKey`, also `GET /api/v1/bundles/public-key`).
 */
export const BundleContent = z
  .object({
    version: Text(128),
    createdAt: z.iso.datetime({ offset: true }),
    policy: Text(100),
    /** Suricata rules text (the enabled ET categories and local rules). */
    rules: z.string(),
    /** threshold.config lines, including the tenant's suppressions that can run on the sensor. */
    thresholdConfig: z.string(),
    /** IOC feeds in the one-per-line plain format (`type value` per line), by feed name. */
    iocFeeds: z.array(z.object({ name: Text(100), lines: z.string() })),
  })
  .meta({ id: 'BundleContent' });
export type BundleContent = z.infer<typeof BundleContent>;

/** An alert as the server stores and lists it (`GET /api/v1/alerts`). */
export const StoredAlert = UplinkAlert.extend({
  id: Id,
  organizationId: Id,
  siteId: Id,
  sensorId: Id,
  seq: z.number().int(),
  receivedAt: z.iso.datetime({ offset: true }),
  suppressed: z.boolean(),
}).meta({ id: 'StoredAlert' });
export type StoredAlert = z.infer<typeof StoredAlert>;
