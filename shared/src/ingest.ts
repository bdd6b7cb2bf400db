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

/** A sensor's health over a time range (`GET /api/v1/sensors/:id/health`); long ranges are averaged
 *  into at most 500 buckets (`bucketSeconds` set), short ones are the raw samples (`bucketSeconds` null). */
export const SensorHealthHistory = z
  .object({
    sensorId: Id,
    from: z.iso.datetime({ offset: true }),
    to: z.iso.datetime({ offset: true }),
    bucketSeconds: z.number().int().min(1).nullable(),
    samples: z.array(SensorHealthSample),
  })
  .meta({ id: 'SensorHealthHistory' });
export type SensorHealthHistory = z.infer<typeof SensorHealthHistory>;

/** (No schema id: query strings are inlined in the OpenAPI document.) */
export const SensorHealthQuery = z.object({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});
export type SensorHealthQuery = z.infer<typeof SensorHealthQuery>;

/** ET Open rule file names (`emerging-exploit.rules`): letters, digits, `_`, `-`, `.`, ending `.rules`. */
const RuleFileName = z.string().regex(/^[\w.-]{1,100}\.rules$/, 'a rule file name such as emerging-exploit.rules');

/** What goes into one policy's bundle: enabled ET categories, local rules and IOC feeds. */
export const BundlePolicy = z
  .object({
    id: Id,
    name: Text(100),
    description: z.string().nullable(),
    categories: z.array(RuleFileName),
    localRules: z.string(),
    feedIds: z.array(Id),
    updatedAt: z.iso.datetime({ offset: true }),
  })
  .meta({ id: 'BundlePolicy' });
export type BundlePolicy = z.infer<typeof BundlePolicy>;

export const BundlePolicyCreate = z
  .object({
    name: z.string().trim().regex(/^[a-z0-9][a-z0-9_-]{0,99}$/, 'lower-case letters, digits, _ and -'),
    description: z.string().trim().max(500).optional(),
    categories: z.array(RuleFileName).max(200).default([]),
    localRules: z.string().max(1024 * 1024).default(''),
    feedIds: z.array(Id).max(100).default([]),
  })
  .meta({ id: 'BundlePolicyCreate' });
export type BundlePolicyCreate = z.infer<typeof BundlePolicyCreate>;

export const BundlePolicyUpdate = z
  .object({
    description: z.string().trim().max(500).nullable().optional(),
    categories: z.array(RuleFileName).max(200).optional(),
    localRules: z.string().max(1024 * 1024).optional(),
    feedIds: z.array(Id).max(100).optional(),
  })
  .meta({ id: 'BundlePolicyUpdate' });
export type BundlePolicyUpdate = z.infer<typeof BundlePolicyUpdate>;

/** One built bundle (what `POST /api/v1/bundles/build` answers, and the latest per policy). */
export const BundleSummary = z
  .object({
    policy: Text(100),
    version: Text(128),
    createdAt: z.iso.datetime({ offset: true }),
    sizeBytes: z.number().int(),
    ruleCount: z.number().int(),
    /** Rules per enabled category (plus `local`). */
    rulesByCategory: z.record(z.string(), z.number().int()),
    /** Enabled categories with no file in the rules directory. */
    missingCategories: z.array(z.string()),
    iocCount: z.number().int(),
    iocByFeed: z.record(z.string(), z.number().int()),
    /** False when the content was unchanged, so the existing bundle was kept. */
    changed: z.boolean(),
  })
  .meta({ id: 'BundleSummary' });
export type BundleSummary = z.infer<typeof BundleSummary>;

export const BundleBuildRequest = z
  .object({ policy: z.string().trim().min(1).max(100).optional() })
  .meta({ id: 'BundleBuildRequest' });
export type BundleBuildRequest = z.infer<typeof BundleBuildRequest>;

/** Status per policy for operator staff: the latest bundle and how many sensors run it. */
export const BundleStatus = z
  .object({
    policy: BundlePolicy,
    latest: BundleSummary.nullable(),
    sensors: z.object({ onLatest: z.number().int(), onOlder: z.number().int(), none: z.number().int() }),
  })
  .meta({ id: 'BundleStatus' });
export type BundleStatus = z.infer<typeof BundleStatus>;

export const BundlePublicKey = z
  .object({ publicKey: z.string(), algorithm: z.literal('ed25519') })
  .meta({ id: 'BundlePublicKey' });
export type BundlePublicKey = z.infer<typeof BundlePublicKey>;

/** Formats of threat feeds (the names of the sensor's parsers); `auto` lets the parser tell from the content. */
export const ThreatFeedFormat = z
  .enum(['auto', 'plain', 'feodo', 'feodo-csv', 'urlhaus-csv', 'threatfox-csv', 'threatfox-json', 'sslbl-ja3-csv', 'sslbl-cert-csv', 'stix2', 'misp-event', 'misp-manifest'])
  .meta({ id: 'ThreatFeedFormat' });
export type ThreatFeedFormat = z.infer<typeof ThreatFeedFormat>;

export const FeedLineError = z.object({ line: z.number().int(), message: z.string() }).meta({ id: 'FeedLineError' });
export type FeedLineError = z.infer<typeof FeedLineError>;

/** The outcome of one import: entries kept, and the first 100 line errors with the total count. */
export const FeedImportResult = z
  .object({
    feedId: Id,
    status: z.enum(['ok', 'partial', 'failed']),
    importedAt: z.iso.datetime({ offset: true }),
    entryCount: z.number().int(),
    entriesByType: z.record(z.string(), z.number().int()),
    errorCount: z.number().int(),
    errors: z.array(FeedLineError),
    message: z.string().nullable(),
    /** Bundles rebuilt because their policy uses this feed. */
    rebuilt: z.array(z.object({ policy: z.string(), version: z.string(), changed: z.boolean() })),
  })
  .meta({ id: 'FeedImportResult' });
export type FeedImportResult = z.infer<typeof FeedImportResult>;

export const ThreatFeed = z
  .object({
    id: Id,
    name: Text(100),
    format: ThreatFeedFormat,
    /** `upload` (imported from files the operator sends) or the http(s) URL fetched on schedule. */
    source: z.string(),
    scheduleMinutes: z.number().int().nullable(),
    enabled: z.boolean(),
    entryCount: z.number().int(),
    lastImport: FeedImportResult.omit({ rebuilt: true }).nullable(),
    createdAt: z.iso.datetime({ offset: true }),
  })
  .meta({ id: 'ThreatFeed' });
export type ThreatFeed = z.infer<typeof ThreatFeed>;

export const ThreatFeedCreate = z
  .object({
    name: z.string().trim().min(1).max(100),
    format: ThreatFeedFormat.default('auto'),
    source: z
      .string()
      .trim()
      .refine((v) => v === 'upload' || /^https?:\/\/[^\s]+$/i.test(v), 'either "upload" or an http(s) URL'),
    /** Minutes between scheduled imports of a URL feed (15 min – 7 days); null = only on demand. */
    scheduleMinutes: z.number().int().min(15).max(7 * 24 * 60).nullable().default(null),
    enabled: z.boolean().default(true),
  })
  .meta({ id: 'ThreatFeedCreate' });
export type ThreatFeedCreate = z.infer<typeof ThreatFeedCreate>;

/** `GET /api/v1/alerts`: newest first, keyset-paged by (observedAt, id). */
export const AlertQuery = z.object({
  sensor: Id.optional(),
  organization: Id.optional(),
  from: z.iso.datetime({ offset: true }).optional().describe('observedAt ≥ from'),
  to: z.iso.datetime({ offset: true }).optional().describe('observedAt < to'),
  direction: AlertDirection.optional(),
  engine: AlertEngine.optional(),
  severity: z.coerce.number().int().min(1).max(3).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(200).optional().describe('nextCursor of the previous page'),
});
export type AlertQuery = z.infer<typeof AlertQuery>;

export const AlertPage = z
  .object({ items: z.array(StoredAlert), nextCursor: z.string().nullable() })
  .meta({ id: 'AlertPage' });
export type AlertPage = z.infer<typeof AlertPage>;

/** What ingest has counted for one sensor (`GET /api/v1/sensors/:id/ingest-counters`). In scale
 *  mode the ingest answer counts queued events as accepted; duplicates are counted here by the worker. */
export const SensorIngestCounters = z
  .object({
    sensorId: Id,
    accepted: z.number().int(),
    duplicates: z.number().int(),
    rejected: z.number().int(),
    suppressed: z.number().int(),
    updatedAt: z.iso.datetime({ offset: true }).nullable(),
  })
  .meta({ id: 'SensorIngestCounters' });
export type SensorIngestCounters = z.infer<typeof SensorIngestCounters>;
