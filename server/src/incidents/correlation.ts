/**
 * Correlation: which incident an alert belongs to. Pure: plain objects in, keys and groups out.
 *
 * The rules are data (first match wins, the last rule matches everything): each says which incident
 * kind an `otasuke_explain` key raises and which facts make the deduplication key. The key is scoped
 * to one subscriber by the incidents table itself (organization_id, dedup_key), so it never has to
 * carry the subscriber. Alerts of one key join the same incident while they keep coming within the
 * rule's window of the incident's last alert (a sliding window); after a quiet gap the next alert
 * opens a new incident.
 */
import { randomUUID } from 'node:crypto';
import type { AlertDirection, AlertEngine, IncidentKind, IncidentPriority } from '@otasuke/shared';
import type { PriorityFacts } from './priority.ts';
import type { SlaClocks } from './slaCalendar.ts';

/** The facts of an alert correlation looks at. */
export interface CorrelatableAlert {
  sensorId: string;
  observedAt: Date;
  direction: AlertDirection;
  engine: AlertEngine;
  explain: string;
  gid: number;
  signatureId: number;
  srcIp: string;
  destIp: string;
}

export type KeyPart = 'insideHost' | 'peer' | 'signatureGroup' | 'direction' | 'explain' | 'sensor';

export interface CorrelationRule {
  id: string;
  /** Exact `otasuke_explain` keys; a key ending in `*` matches by prefix. */
  explain: readonly string[];
  /** Only alerts of these directions (all when absent). */
  directions?: readonly AlertDirection[];
  kind: IncidentKind;
  key: readonly KeyPart[];
  windowMinutes: number;
}

const C2_CLASSES = ['rule.command-and-control', 'rule.domain-c2', 'rule.trojan-activity', 'rule.targeted-activity', 'rule.credential-theft'];
const POLICY_CLASSES = ['rule.policy-violation', 'rule.pup-activity', 'rule.coin-mining', 'rule.external-ip-check', 'rule.tcp-connection', 'rule.not-suspicious', 'rule.unusual-client-port-connection'];

/** The rules, in order. An edit here changes how new alerts group; existing incidents keep their key. */
export const CORRELATION_RULES: readonly CorrelationRule[] = [
  // A known C2 or a trojan talking out: one incident per infected host and peer.
  { id: 'c2', explain: ['c2_communication', 'malicious_tls_fingerprint', ...C2_CLASSES], directions: ['outbound', 'internal'], kind: 'c2_communication', key: ['insideHost', 'peer'], windowMinutes: 60 },
  { id: 'beacon', explain: ['beaconing'], kind: 'beaconing', key: ['insideHost', 'peer'], windowMinutes: 120 },
  { id: 'site', explain: ['malicious_site_access', 'rule.exploit-kit', 'rule.social-engineering'], directions: ['outbound', 'internal'], kind: 'malicious_site_access', key: ['insideHost', 'peer'], windowMinutes: 30 },
  // Scans: the attacker is the subject. A port scan hits one inside host; a sweep hits many.
  { id: 'port-scan', explain: ['inbound_port_scan'], kind: 'scan', key: ['peer', 'insideHost'], windowMinutes: 30 },
  { id: 'sweep', explain: ['inbound_host_sweep', 'rule.network-scan', 'rule.attempted-recon'], directions: ['inbound'], kind: 'scan', key: ['peer', 'explain'], windowMinutes: 30 },
  { id: 'brute-force', explain: ['brute_force_*', 'rule.default-login-attempt', 'rule.suspicious-login'], kind: 'brute_force', key: ['peer', 'insideHost', 'explain'], windowMinutes: 30 },
  { id: 'known-attacker', explain: ['inbound_from_known_attacker'], kind: 'inbound_attack', key: ['peer', 'direction'], windowMinutes: 30 },
  { id: 'malware', explain: ['malware_file'], kind: 'malware_file', key: ['insideHost', 'signatureGroup', 'direction'], windowMinutes: 60 },
  // Weak TLS repeats on every connection to the same server: one incident a day per host and peer.
  { id: 'weak-tls', explain: ['weak_tls_version', 'weak_tls_cipher', 'tls_expired_certificate', 'tls_self_signed_certificate'], kind: 'weak_tls', key: ['insideHost', 'peer', 'explain'], windowMinutes: 1440 },
  { id: 'cleartext', explain: ['cleartext_credentials'], kind: 'cleartext_credentials', key: ['insideHost', 'peer'], windowMinutes: 1440 },
  { id: 'dns-tunnel', explain: ['dns_tunnel'], kind: 'dns_tunnel', key: ['insideHost', 'explain'], windowMinutes: 60 },
  { id: 'policy', explain: POLICY_CLASSES, kind: 'policy', key: ['insideHost', 'signatureGroup', 'direction'], windowMinutes: 1440 },
  { id: 'sensor', explain: ['sensor_*'], kind: 'sensor_health', key: ['sensor', 'explain'], windowMinutes: 1440 },
  // Inbound attacks by signature: a botnet hitting the same hole from many addresses is one incident.
  { id: 'inbound-rule', explain: ['rule.*'], directions: ['inbound'], kind: 'inbound_attack', key: ['insideHost', 'signatureGroup', 'direction'], windowMinutes: 30 },
  { id: 'default', explain: ['*'], kind: 'suspicious_activity', key: ['insideHost', 'peer', 'signatureGroup', 'direction'], windowMinutes: 30 },
];

export interface CorrelationKey {
  key: string;
  kind: IncidentKind;
  ruleId: string;
  windowMs: number;
  insideHost: string | null;
  peer: string | null;
}

/** Which end is ours: inbound = outside → inside; outbound and internal = inside → elsewhere. */
export function endsOf(alert: Pick<CorrelatableAlert, 'direction' | 'srcIp' | 'destIp'>): { insideHost: string | null; peer: string | null } {
  switch (alert.direction) {
    case 'inbound':
      return { insideHost: alert.destIp, peer: alert.srcIp };
    case 'outbound':
    case 'internal':
      return { insideHost: alert.srcIp, peer: alert.destIp };
    case 'external':
      return { insideHost: null, peer: alert.srcIp };
  }
}

function explainMatches(patterns: readonly string[], explain: string): boolean {
  return patterns.some((p) => (p.endsWith('*') ? explain.startsWith(p.slice(0, -1)) : p === explain));
}

export function ruleFor(alert: CorrelatableAlert, rules: readonly CorrelationRule[] = CORRELATION_RULES): CorrelationRule {
  const rule = rules.find((r) => explainMatches(r.explain, alert.explain) && (!r.directions || r.directions.includes(alert.direction)));
  if (!rule) throw new Error(`no correlation rule matches ${alert.explain}: the last rule must match every alert`);
  return rule;
}

export function correlationKeyOf(alert: CorrelatableAlert, rules: readonly CorrelationRule[] = CORRELATION_RULES): CorrelationKey {
  const rule = ruleFor(alert, rules);
  const { insideHost, peer } = endsOf(alert);
  const parts = rule.key.map((part) => {
    switch (part) {
      case 'insideHost':
        return `h=${insideHost ?? '-'}`;
      case 'peer':
        return `p=${peer ?? '-'}`;
      case 'signatureGroup':
        return `s=${alert.gid}:${alert.signatureId}`;
      case 'direction':
        return `d=${alert.direction}`;
      case 'explain':
        return `e=${alert.explain}`;
      case 'sensor':
        return `n=${alert.sensorId}`;
    }
  });
  return {
    key: [rule.id, ...parts].join('|'),
    kind: rule.kind,
    ruleId: rule.id,
    windowMs: rule.windowMinutes * 60_000,
    insideHost: rule.key.includes('insideHost') ? insideHost : null,
    peer: rule.key.includes('peer') ? peer : null,
  };
}

/** Does an alert seen at `observedAt` still join an incident last seen at `lastSeenAt`? Late alerts
 *  (older than the last one) always join; newer ones while the gap is within the window. */
export function joinsWindow(lastSeenAt: Date, observedAt: Date, windowMs: number): boolean {
  return observedAt.getTime() - lastSeenAt.getTime() <= windowMs;
}

export interface CorrelationSegment<A extends CorrelatableAlert> {
  key: CorrelationKey;
  alerts: A[];
}

/**
 * Groups a batch by key, in time order, and cuts a key's alerts where they go quiet for longer
 * than the window: each segment joins one incident (the open one, or a new one).
 */
export function segmentBatch<A extends CorrelatableAlert & { organizationId: string }>(alerts: readonly A[], rules: readonly CorrelationRule[] = CORRELATION_RULES): Array<CorrelationSegment<A> & { organizationId: string }> {
  const byKey = new Map<string, { key: CorrelationKey; organizationId: string; alerts: A[] }>();
  for (const alert of alerts) {
    const key = correlationKeyOf(alert, rules);
    const mapKey = `${alert.organizationId}\u0000${key.key}`;
    const group = byKey.get(mapKey) ?? { key, organizationId: alert.organizationId, alerts: [] };
    group.alerts.push(alert);
    byKey.set(mapKey, group);
  }
  const segments: Array<CorrelationSegment<A> & { organizationId: string }> = [];
  for (const group of byKey.values()) {
    const sorted = [...group.alerts].sort((a, b) => a.observedAt.getTime() - b.observedAt.getTime());
    let current: A[] = [];
    for (const alert of sorted) {
      const last = current.at(-1);
      if (last && !joinsWindow(last.observedAt, alert.observedAt, group.key.windowMs)) {
        segments.push({ key: group.key, organizationId: group.organizationId, alerts: current });
        current = [];
      }
      current.push(alert);
    }
    if (current.length > 0) segments.push({ key: group.key, organizationId: group.organizationId, alerts: current });
  }
  return segments;
}

/** An alert as correlation stores it (the repository's AlertForIncident has these fields). */
export interface IncidentAlert extends CorrelatableAlert {
  id: string;
  siteId: string;
  signature: string;
  severity: number;
}

export interface SegmentToCorrelate<A extends IncidentAlert = IncidentAlert> {
  organizationId: string;
  key: CorrelationKey;
  alerts: readonly A[];
}

/** The correlating incident of a key, as found (locked) in the database. */
export interface OpenIncidentFacts {
  id: string;
  kind: string;
  engine: AlertEngine;
  direction: AlertDirection;
  severity: number;
  priority: IncidentPriority;
  alertCount: number | string;
  lastSeenAt: Date;
  createdAt: Date;
}

export interface KeyToCorrelate {
  organizationId: string;
  key: CorrelationKey;
  /** The key's segments of this batch, in time order. */
  segments: readonly SegmentToCorrelate[];
  open: OpenIncidentFacts | null;
  assetCriticality: PriorityFacts['assetCriticality'];
}

export type BatchPrioritizer = (facts: PriorityFacts, current: IncidentPriority | null, openedAt: Date) => { priority: IncidentPriority; sla: SlaClocks | null };

export interface NewIncidentPlan {
  id: string;
  organizationId: string;
  siteId: string;
  sensorId: string;
  dedupKey: string;
  correlating: boolean;
  kind: IncidentKind;
  explain: string;
  direction: AlertDirection;
  engine: AlertEngine;
  insideHost: string | null;
  peer: string | null;
  gid: number;
  signatureId: number;
  signature: string;
  severity: number;
  priority: IncidentPriority;
  alertCount: number;
  firstSeenAt: Date;
  lastSeenAt: Date;
  slaCalendar: string;
  acknowledgeDueAt: Date;
  notifyDueAt: Date;
}

/** What to add to an incident that was already open (null: nothing of that to change). */
export interface IncidentUpdatePlan {
  id: string;
  added: number;
  firstSeenAt: Date | null;
  lastSeenAt: Date | null;
  severity: number | null;
  priority: IncidentPriority;
  correlating: boolean;
}

export interface BatchCorrelationPlan {
  updates: IncidentUpdatePlan[];
  inserts: NewIncidentPlan[];
  timeline: Array<{ incidentId: string; organizationId: string; kind: 'opened' | 'priority_raised'; details: Record<string, unknown> }>;
  assignments: Array<{ alertId: string; incidentId: string; observedAt: Date }>;
  /** Every incident that took alerts, once, in batch order. */
  touched: string[];
}

/**
 * The decisions of one batch, made in memory: per key, each segment joins the current incident
 * while it is within the window of its last alert (late alerts always join), else the current one
 * stops correlating and a new one opens. Priority is recomputed per segment, as if the segments
 * came one by one; it only goes up by itself (the prioritizer sees the current one).
 */
export function planBatchCorrelation(keys: readonly KeyToCorrelate[], prioritize: BatchPrioritizer, now: Date, newId: () => string = randomUUID): BatchCorrelationPlan {
  const plan: BatchCorrelationPlan = { updates: [], inserts: [], timeline: [], assignments: [], touched: [] };
  const touched = new Set<string>();
  for (const entry of keys) {
    type Current = { id: string; kind: string; engine: AlertEngine; direction: AlertDirection; severity: number; priority: IncidentPriority; alertCount: number; lastSeenAt: Date; createdAt: Date; update: IncidentUpdatePlan | null; insert: NewIncidentPlan | null };
    let current: Current | null = entry.open
      ? { ...entry.open, alertCount: Number(entry.open.alertCount), lastSeenAt: new Date(entry.open.lastSeenAt), createdAt: new Date(entry.open.createdAt), update: null, insert: null }
      : null;
    const existingUpdate = (c: Current) => {
      if (c.insert) return null;
      if (!c.update) {
        c.update = { id: c.id, added: 0, firstSeenAt: null, lastSeenAt: null, severity: null, priority: c.priority, correlating: true };
        plan.updates.push(c.update);
      }
      return c.update;
    };
    for (const segment of entry.segments) {
      const first = segment.alerts[0];
      if (!first) continue;
      let firstSeen = first.observedAt;
      let lastSeen = first.observedAt;
      let severity = first.severity;
      for (const a of segment.alerts) {
        if (a.observedAt < firstSeen) firstSeen = a.observedAt;
        if (a.observedAt > lastSeen) lastSeen = a.observedAt;
        if (a.severity < severity) severity = a.severity;
      }
      const n = segment.alerts.length;
      if (current && joinsWindow(current.lastSeenAt, firstSeen, entry.key.windowMs)) {
        const count = current.alertCount + n;
        const worst = Math.min(current.severity, severity);
        const { priority } = prioritize({ kind: current.kind as IncidentKind, engine: current.engine, direction: current.direction, severity: worst, alertCount: count, assetCriticality: entry.assetCriticality }, current.priority, current.createdAt);
        if (priority !== current.priority) plan.timeline.push({ incidentId: current.id, organizationId: entry.organizationId, kind: 'priority_raised', details: { from: current.priority, to: priority, alertCount: count } });
        current.alertCount = count;
        current.severity = worst;
        current.priority = priority;
        if (lastSeen > current.lastSeenAt) current.lastSeenAt = lastSeen;
        const update = existingUpdate(current);
        if (update) {
          update.added += n;
          update.firstSeenAt = update.firstSeenAt && update.firstSeenAt < firstSeen ? update.firstSeenAt : firstSeen;
          update.lastSeenAt = update.lastSeenAt && update.lastSeenAt > lastSeen ? update.lastSeenAt : lastSeen;
          update.severity = Math.min(update.severity ?? worst, worst);
          update.priority = priority;
        } else {
          const insert = current.insert!;
          insert.alertCount = count;
          insert.severity = worst;
          insert.priority = priority;
          if (firstSeen < insert.firstSeenAt) insert.firstSeenAt = firstSeen;
          if (lastSeen > insert.lastSeenAt) insert.lastSeenAt = lastSeen;
        }
      } else {
        const previous = current;
        if (previous) {
          const update = existingUpdate(previous);
          if (update) update.correlating = false;
          else previous.insert!.correlating = false;
        }
        const { priority, sla } = prioritize({ kind: entry.key.kind, engine: first.engine, direction: first.direction, severity, alertCount: n, assetCriticality: entry.assetCriticality }, null, now);
        if (!sla) throw new Error('the prioritizer gave no SLA clocks for a new incident');
        const insert: NewIncidentPlan = {
          id: newId(),
          organizationId: entry.organizationId,
          siteId: first.siteId,
          sensorId: first.sensorId,
          dedupKey: entry.key.key,
          correlating: true,
          kind: entry.key.kind,
          explain: first.explain,
          direction: first.direction,
          engine: first.engine,
          insideHost: entry.key.insideHost,
          peer: entry.key.peer,
          gid: first.gid,
          signatureId: first.signatureId,
          signature: first.signature,
          severity,
          priority,
          alertCount: n,
          firstSeenAt: firstSeen,
          lastSeenAt: lastSeen,
          slaCalendar: sla.calendar,
          acknowledgeDueAt: sla.acknowledgeDueAt,
          notifyDueAt: sla.notifyDueAt,
        };
        plan.inserts.push(insert);
        plan.timeline.push({ incidentId: insert.id, organizationId: entry.organizationId, kind: 'opened', details: { dedupKey: entry.key.key, priority, alertCount: n, ...(previous ? { after: previous.id } : {}) } });
        current = { id: insert.id, kind: entry.key.kind, engine: first.engine, direction: first.direction, severity, priority, alertCount: n, lastSeenAt: lastSeen, createdAt: now, update: null, insert };
      }
      touched.add(current.id);
      for (const a of segment.alerts) plan.assignments.push({ alertId: a.id, incidentId: current.id, observedAt: a.observedAt });
    }
  }
  plan.touched = [...touched];
  return plan;
}
