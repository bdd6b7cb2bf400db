/**
 * Correlation: which incident an alert belongs to. Pure: plain objects in, keys and groups out.
 *
 * The rules are data (first match wins, the last rule matches everything): each says which incident
 * kind an `otasuke_explain` key raises and which facts make the deduplication key. The key is scoped
 * to one subscriber by the incidents table itself (organization_id, dedup_key), so it never has to
 * carry the subscriber. Alerts of one key join the same incident while they keep coming within the
 * rule's window of the incident's last alert (a sliding window); after a quiet gap the next alert
 * opens a new incident.
 *
 * Rules that name the same `group` share one key space: what different engines say about one real
 * incident (an IOC hit on a C2 server, a trojan rule, the beaconing detector, all about the same inside
 * host and outside peer) lands in one incident. The earlier rule of a group is the more specific one:
 * its kind and explain key name the incident, whichever alert came first.
 */
import { randomUUID } from 'node:crypto';
import type { AlertDirection, AlertEngine, IncidentKind, IncidentPriority, UplinkAlert } from '@otasuke/shared';
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
  /** Rules of one group share their key space (they must have the same key parts and window). */
  group?: string;
}

const C2_CLASSES = ['rule.command-and-control', 'rule.domain-c2', 'rule.trojan-activity', 'rule.targeted-activity', 'rule.credential-theft'];
const POLICY_CLASSES = ['rule.policy-violation', 'rule.pup-activity', 'rule.coin-mining', 'rule.external-ip-check', 'rule.tcp-connection', 'rule.not-suspicious', 'rule.unusual-client-port-connection'];

/** The rules, in order. An edit here changes how new alerts group; existing incidents keep their key. */
export const CORRELATION_RULES: readonly CorrelationRule[] = [
  // An inside host talking to a bad outside peer is one incident, whichever engine saw it: a known C2
  // or a trojan rule, a known bad site, the beaconing detector. In that order of how specific they are.
  { id: 'c2', group: 'outbound-peer', explain: ['c2_communication', 'malicious_tls_fingerprint', ...C2_CLASSES], directions: ['outbound', 'internal'], kind: 'c2_communication', key: ['insideHost', 'peer'], windowMinutes: 120 },
  { id: 'site', group: 'outbound-peer', explain: ['malicious_site_access', 'rule.exploit-kit', 'rule.social-engineering'], directions: ['outbound', 'internal'], kind: 'malicious_site_access', key: ['insideHost', 'peer'], windowMinutes: 120 },
  { id: 'beacon', group: 'outbound-peer', explain: ['beaconing'], kind: 'beaconing', key: ['insideHost', 'peer'], windowMinutes: 120 },
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
  /** The rule's place in the list: the lower, the more specific (it names the incident). */
  rank: number;
  windowMs: number;
  insideHost: string | null;
  peer: string | null;
}

/**
 * Refuses a rule list correlation could not keep exact: the last rule must match every alert, ids
 * are unique, and the rules of one group have the same key parts and window (they share one key).
 */
export function checkRules(rules: readonly CorrelationRule[]): readonly CorrelationRule[] {
  const problems: string[] = [];
  const last = rules.at(-1);
  if (!last || !last.explain.includes('*') || last.directions) problems.push('the last rule must match every alert (explain ["*"], no directions)');
  const ids = new Set<string>();
  const groups = new Map<string, CorrelationRule>();
  for (const rule of rules) {
    if (ids.has(rule.id)) problems.push(`rule id ${rule.id} is used twice`);
    ids.add(rule.id);
    if (rule.group === undefined) continue;
    if (ids.has(rule.group) && !groups.has(rule.group)) problems.push(`group ${rule.group} has the name of a rule`);
    const first = groups.get(rule.group);
    if (!first) {
      groups.set(rule.group, rule);
      continue;
    }
    if (first.key.join(',') !== rule.key.join(',') || first.windowMinutes !== rule.windowMinutes) {
      problems.push(`rule ${rule.id} must have the key [${first.key.join(', ')}] and window ${first.windowMinutes} of its group ${rule.group} (as rule ${first.id})`);
    }
  }
  for (const rule of rules) if (rule.group === undefined && groups.has(rule.id)) problems.push(`rule ${rule.id} has the name of a group`);
  if (problems.length > 0) throw new Error(`bad correlation rules: ${problems.join('; ')}`);
  return rules;
}

checkRules(CORRELATION_RULES);

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

export function ruleFor(alert: Pick<CorrelatableAlert, 'explain' | 'direction'>, rules: readonly CorrelationRule[] = CORRELATION_RULES): CorrelationRule {
  return rules[rankOf(alert, rules)]!;
}

/** The index of the rule an alert (or an incident, by its explain key and direction) falls under. */
export function rankOf(alert: Pick<CorrelatableAlert, 'explain' | 'direction'>, rules: readonly CorrelationRule[] = CORRELATION_RULES): number {
  const rank = rules.findIndex((r) => explainMatches(r.explain, alert.explain) && (!r.directions || r.directions.includes(alert.direction)));
  if (rank < 0) throw new Error(`no correlation rule matches ${alert.explain}: the last rule must match every alert`);
  return rank;
}

export function correlationKeyOf(alert: CorrelatableAlert, rules: readonly CorrelationRule[] = CORRELATION_RULES): CorrelationKey {
  const rank = rankOf(alert, rules);
  const rule = rules[rank]!;
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
    key: [rule.group ?? rule.id, ...parts].join('|'),
    kind: rule.kind,
    ruleId: rule.id,
    rank,
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

/** The alert of a segment whose rule is the most specific (the earliest of them), with its rule. */
export interface SegmentLead<A extends CorrelatableAlert = CorrelatableAlert> {
  rank: number;
  kind: IncidentKind;
  alert: A;
}

export interface CorrelationSegment<A extends CorrelatableAlert> {
  key: CorrelationKey;
  alerts: A[];
  lead: SegmentLead<A>;
}

/**
 * Groups a batch by key, in time order, and cuts a key's alerts where they go quiet for longer
 * than the window: each segment joins one incident (the open one, or a new one).
 */
export function segmentBatch<A extends CorrelatableAlert & { organizationId: string }>(alerts: readonly A[], rules: readonly CorrelationRule[] = CORRELATION_RULES): Array<CorrelationSegment<A> & { organizationId: string }> {
  const byKey = new Map<string, { key: CorrelationKey; organizationId: string; alerts: Array<{ alert: A; rank: number; kind: IncidentKind }> }>();
  for (const alert of alerts) {
    const key = correlationKeyOf(alert, rules);
    const mapKey = `${alert.organizationId}\u0000${key.key}`;
    const group = byKey.get(mapKey) ?? { key, organizationId: alert.organizationId, alerts: [] };
    group.alerts.push({ alert, rank: key.rank, kind: key.kind });
    byKey.set(mapKey, group);
  }
  const segments: Array<CorrelationSegment<A> & { organizationId: string }> = [];
  for (const group of byKey.values()) {
    const sorted = [...group.alerts].sort((a, b) => a.alert.observedAt.getTime() - b.alert.observedAt.getTime());
    let current: typeof sorted = [];
    const cut = () => {
      let lead = current[0]!;
      for (const entry of current) if (entry.rank < lead.rank) lead = entry;
      segments.push({ key: group.key, organizationId: group.organizationId, alerts: current.map((e) => e.alert), lead: { rank: lead.rank, kind: lead.kind, alert: lead.alert } });
      current = [];
    };
    for (const entry of sorted) {
      const last = current.at(-1);
      if (last && !joinsWindow(last.alert.observedAt, entry.alert.observedAt, group.key.windowMs)) cut();
      current.push(entry);
    }
    if (current.length > 0) cut();
  }
  return segments;
}

/** An alert as correlation stores it. */
export interface IncidentAlert extends CorrelatableAlert {
  id: string;
  siteId: string;
  signature: string;
  severity: number;
}

/** The facts correlation needs of an alert as ingest hands it over. */
export function incidentAlertOf(a: { id: string; organizationId: string; siteId: string; sensorId: string; alert: UplinkAlert }): IncidentAlert & { organizationId: string } {
  return {
    id: a.id,
    organizationId: a.organizationId,
    siteId: a.siteId,
    sensorId: a.sensorId,
    observedAt: new Date(a.alert.observedAt),
    direction: a.alert.direction,
    engine: a.alert.engine,
    explain: a.alert.explain,
    gid: a.alert.gid,
    signatureId: a.alert.signatureId,
    signature: a.alert.signature,
    severity: a.alert.severity,
    srcIp: a.alert.srcIp,
    destIp: a.alert.destIp,
  };
}

export interface SegmentToCorrelate<A extends IncidentAlert = IncidentAlert> {
  organizationId: string;
  key: CorrelationKey;
  alerts: readonly A[];
  lead: SegmentLead<A>;
}

/** The correlating incident of a key, as found (locked) in the database. */
export interface OpenIncidentFacts {
  id: string;
  kind: string;
  explain: string;
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

/** What names an incident: the facts of its most specific alert. */
export interface IncidentIdentity {
  kind: IncidentKind;
  explain: string;
  direction: AlertDirection;
  engine: AlertEngine;
  gid: number;
  signatureId: number;
  signature: string;
}

/** What to add to an incident that was already open (null: nothing of that to change). */
export interface IncidentUpdatePlan {
  id: string;
  /** A more specific alert joined: the incident takes its kind, explain key and signature. */
  identity: IncidentIdentity | null;
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
  timeline: Array<{ incidentId: string; organizationId: string; kind: 'opened' | 'priority_raised' | 'reclassified'; details: Record<string, unknown> }>;
  assignments: Array<{ alertId: string; incidentId: string; observedAt: Date }>;
  /** Every incident that took alerts, once, in batch order. */
  touched: string[];
}

/**
 * The decisions of one batch, made in memory: per key, each segment joins the current incident
 * while it is within the window of its last alert (late alerts always join), else the current one
 * stops correlating and a new one opens. Priority is recomputed per segment, as if the segments
 * came one by one; it only goes up by itself (the prioritizer sees the current one). When a segment's
 * lead is more specific than what named the incident (a C2 hit joining a beaconing incident), the
 * incident takes the lead's kind, explain key and signature, and priority is computed from those.
 */
export function planBatchCorrelation(keys: readonly KeyToCorrelate[], prioritize: BatchPrioritizer, now: Date, newId: () => string = randomUUID, rules: readonly CorrelationRule[] = CORRELATION_RULES): BatchCorrelationPlan {
  const plan: BatchCorrelationPlan = { updates: [], inserts: [], timeline: [], assignments: [], touched: [] };
  const touched = new Set<string>();
  const identityOf = (lead: SegmentLead<IncidentAlert>): IncidentIdentity => ({
    kind: lead.kind,
    explain: lead.alert.explain,
    direction: lead.alert.direction,
    engine: lead.alert.engine,
    gid: lead.alert.gid,
    signatureId: lead.alert.signatureId,
    signature: lead.alert.signature,
  });
  for (const entry of keys) {
    type Current = { id: string; rank: number; kind: string; engine: AlertEngine; direction: AlertDirection; severity: number; priority: IncidentPriority; alertCount: number; lastSeenAt: Date; createdAt: Date; update: IncidentUpdatePlan | null; insert: NewIncidentPlan | null };
    let current: Current | null = entry.open
      ? {
          ...entry.open,
          rank: rankOf({ explain: entry.open.explain, direction: entry.open.direction }, rules),
          alertCount: Number(entry.open.alertCount),
          lastSeenAt: new Date(entry.open.lastSeenAt),
          createdAt: new Date(entry.open.createdAt),
          update: null,
          insert: null,
        }
      : null;
    const existingUpdate = (c: Current) => {
      if (c.insert) return null;
      if (!c.update) {
        c.update = { id: c.id, identity: null, added: 0, firstSeenAt: null, lastSeenAt: null, severity: null, priority: c.priority, correlating: true };
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
      const lead = segment.lead;
      if (current && joinsWindow(current.lastSeenAt, firstSeen, entry.key.windowMs)) {
        const count = current.alertCount + n;
        const worst = Math.min(current.severity, severity);
        const identity = lead.rank < current.rank ? identityOf(lead) : null;
        if (identity) {
          plan.timeline.push({ incidentId: current.id, organizationId: entry.organizationId, kind: 'reclassified', details: { from: current.kind, to: identity.kind, explain: identity.explain, alertCount: count } });
          current.rank = lead.rank;
          current.kind = identity.kind;
          current.engine = identity.engine;
          current.direction = identity.direction;
        }
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
          if (identity) update.identity = identity;
        } else {
          const insert = current.insert!;
          insert.alertCount = count;
          insert.severity = worst;
          insert.priority = priority;
          if (firstSeen < insert.firstSeenAt) insert.firstSeenAt = firstSeen;
          if (lastSeen > insert.lastSeenAt) insert.lastSeenAt = lastSeen;
          if (identity) Object.assign(insert, identity);
        }
      } else {
        const previous = current;
        if (previous) {
          const update = existingUpdate(previous);
          if (update) update.correlating = false;
          else previous.insert!.correlating = false;
        }
        const identity = identityOf(lead);
        const { priority, sla } = prioritize({ kind: identity.kind, engine: identity.engine, direction: identity.direction, severity, alertCount: n, assetCriticality: entry.assetCriticality }, null, now);
        if (!sla) throw new Error('the prioritizer gave no SLA clocks for a new incident');
        const insert: NewIncidentPlan = {
          id: newId(),
          organizationId: entry.organizationId,
          siteId: first.siteId,
          sensorId: first.sensorId,
          dedupKey: entry.key.key,
          correlating: true,
          ...identity,
          insideHost: entry.key.insideHost,
          peer: entry.key.peer,
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
        current = { id: insert.id, rank: lead.rank, kind: identity.kind, engine: identity.engine, direction: identity.direction, severity, priority, alertCount: n, lastSeenAt: lastSeen, createdAt: now, update: null, insert };
      }
      touched.add(current.id);
      for (const a of segment.alerts) plan.assignments.push({ alertId: a.id, incidentId: current.id, observedAt: a.observedAt });
    }
  }
  plan.touched = [...touched];
  return plan;
}
