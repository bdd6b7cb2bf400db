import { describe, expect, it } from 'vitest';
import { checkRules, CORRELATION_RULES, correlationKeyOf, planBatchCorrelation, segmentBatch, type BatchPrioritizer, type CorrelatableAlert } from './correlation.ts';
import { priorityOf, raisedPriority } from './priority.ts';
import { slaClocks } from './slaCalendar.ts';

const base: CorrelatableAlert & { organizationId: string } = {
  organizationId: 'org-a',
  sensorId: 'sensor-1',
  observedAt: new Date('2026-04-01T00:00:00Z'),
  direction: 'outbound',
  engine: 'ioc',
  explain: 'c2_communication',
  gid: 1,
  signatureId: 9_000_001,
  srcIp: '192.168.1.23',
  destIp: '198.51.100.7',
};
const at = (minutes: number, over: Partial<CorrelatableAlert> = {}) => ({ ...base, ...over, observedAt: new Date(base.observedAt.getTime() + minutes * 60_000) });

describe('correlation keys', () => {
  it('groups C2 by inside host and peer', () => {
    const key = correlationKeyOf(base);
    expect(key).toEqual({ key: 'outbound-peer|h=192.168.1.23|p=198.51.100.7', kind: 'c2_communication', ruleId: 'c2', rank: 0, windowMs: 7_200_000, insideHost: '192.168.1.23', peer: '198.51.100.7' });
  });

  it('groups a port scan by attacker → inside host, a sweep by attacker only', () => {
    const scan = { ...base, direction: 'inbound' as const, engine: 'behaviour' as const, explain: 'inbound_port_scan', srcIp: '203.0.113.9', destIp: '192.168.1.10' };
    expect(correlationKeyOf(scan).key).toBe('port-scan|p=203.0.113.9|h=192.168.1.10');
    const sweep = { ...scan, explain: 'inbound_host_sweep' };
    expect(correlationKeyOf(sweep).key).toBe(correlationKeyOf({ ...sweep, destIp: '192.168.1.99' }).key);
    expect(correlationKeyOf(sweep).insideHost).toBeNull();
  });

  it('groups inbound rule alerts by inside host and signature, whatever the source', () => {
    const rule = { ...base, direction: 'inbound' as const, engine: 'rule' as const, explain: 'rule.web-application-attack', gid: 1, signatureId: 2_030_000 };
    const a = correlationKeyOf({ ...rule, srcIp: '203.0.113.1', destIp: '192.168.1.5' });
    const b = correlationKeyOf({ ...rule, srcIp: '203.0.113.2', destIp: '192.168.1.5' });
    expect(a.key).toBe('inbound-rule|h=192.168.1.5|s=1:2030000|d=inbound');
    expect(b.key).toBe(a.key);
    expect(a.kind).toBe('inbound_attack');
  });

  it('sends an outbound trojan rule to the C2 kind and anything unknown to the default', () => {
    expect(correlationKeyOf({ ...base, engine: 'rule', explain: 'rule.trojan-activity' }).kind).toBe('c2_communication');
    expect(correlationKeyOf({ ...base, engine: 'rule', explain: 'something_new' }).ruleId).toBe('default');
  });
});

describe('one incident per inside host and outside peer, whichever engine', () => {
  const beacon = { engine: 'behaviour' as const, explain: 'beaconing', signatureId: 9_100_500 };
  const trojan = { engine: 'rule' as const, explain: 'rule.trojan-activity', signatureId: 9_900_101 };
  const site = { engine: 'ioc' as const, explain: 'malicious_site_access', signatureId: 9_200_004 };

  it('gives the IOC hit, the trojan rule, the bad site and the beacon of one host and peer one key', () => {
    const keys = [base, { ...base, ...beacon }, { ...base, ...trojan }, { ...base, ...site }].map((a) => correlationKeyOf(a));
    expect(new Set(keys.map((k) => k.key))).toEqual(new Set(['outbound-peer|h=192.168.1.23|p=198.51.100.7']));
    expect(keys.map((k) => [k.ruleId, k.rank])).toEqual([['c2', 0], ['beacon', 2], ['c2', 0], ['site', 1]]);
    // Another peer, another host, or a hygiene finding to the same peer: other incidents.
    expect(correlationKeyOf({ ...base, ...beacon, destIp: '198.51.100.8' }).key).not.toBe(keys[0]!.key);
    expect(correlationKeyOf({ ...base, srcIp: '192.168.1.24' }).key).not.toBe(keys[0]!.key);
    expect(correlationKeyOf({ ...base, engine: 'behaviour', explain: 'weak_tls_version' }).key).toBe('weak-tls|h=192.168.1.23|p=198.51.100.7|e=weak_tls_version');
  });

  it('names a segment by its most specific alert, whichever came first', () => {
    const [segment, ...rest] = segmentBatch([{ ...at(0), ...beacon }, at(1), { ...at(2), ...site }]);
    expect(rest).toHaveLength(0);
    expect(segment!.alerts).toHaveLength(3);
    expect(segment!.lead).toMatchObject({ rank: 0, kind: 'c2_communication', alert: { explain: 'c2_communication', engine: 'ioc' } });
  });

  it('refuses rules of one group that disagree on key or window, and a list without a catch-all', () => {
    const rule = { explain: ['x'], kind: 'suspicious_activity' as const, key: ['insideHost', 'peer'] as const, windowMinutes: 60 };
    const last = { id: 'default', explain: ['*'], kind: 'suspicious_activity' as const, key: ['insideHost'] as const, windowMinutes: 30 };
    expect(() => checkRules([{ ...rule, id: 'a', group: 'g' }, { ...rule, id: 'b', group: 'g', windowMinutes: 30 }, last])).toThrow(/rule b must have the key \[insideHost, peer\] and window 60 of its group g/);
    expect(() => checkRules([{ ...rule, id: 'a', group: 'g' }, { ...rule, id: 'b', group: 'g', key: ['insideHost'] }, last])).toThrow(/rule b must have the key/);
    expect(() => checkRules([{ ...rule, id: 'a' }])).toThrow(/the last rule must match every alert/);
    expect(() => checkRules([{ ...rule, id: 'a' }, { ...rule, id: 'a' }, last])).toThrow(/rule id a is used twice/);
    expect(checkRules(CORRELATION_RULES)).toBe(CORRELATION_RULES);
  });
});

describe('segments of a batch', () => {
  it('keeps alerts within the sliding window together and cuts after a quiet gap', () => {
    // C2 window 120 min: 0, 50, 170 (gaps 50, 120) stay together; 291 is 121 min after 170 → new.
    const segments = segmentBatch([at(170), at(0), at(291), at(50)]);
    expect(segments.map((s) => s.alerts.map((a) => (a.observedAt.getTime() - base.observedAt.getTime()) / 60_000))).toEqual([[0, 50, 170], [291]]);
  });

  it('separates subscribers even with the same key', () => {
    const segments = segmentBatch([at(0), { ...at(1), organizationId: 'org-b' }]);
    expect(segments.map((s) => s.organizationId)).toEqual(['org-a', 'org-b']);
  });
});

describe('priority', () => {
  const facts = { kind: 'inbound_attack' as const, engine: 'rule' as const, direction: 'inbound' as const, severity: 2, alertCount: 1, assetCriticality: null };
  it('follows severity, C2, malware, asset and repetition', () => {
    expect(priorityOf(facts)).toBe('P3');
    expect(priorityOf({ ...facts, severity: 3 })).toBe('P4');
    expect(priorityOf({ ...facts, severity: 1 })).toBe('P2');
    expect(priorityOf({ ...facts, kind: 'c2_communication', direction: 'outbound' })).toBe('P1');
    expect(priorityOf({ ...facts, engine: 'ioc', direction: 'outbound', kind: 'malicious_site_access' })).toBe('P1');
    expect(priorityOf({ ...facts, kind: 'malware_file', engine: 'file', severity: 2 })).toBe('P2');
    expect(priorityOf({ ...facts, assetCriticality: 'high' })).toBe('P2');
    expect(priorityOf({ ...facts, severity: 1, assetCriticality: 'high' })).toBe('P1');
    expect(priorityOf({ ...facts, assetCriticality: 'low' })).toBe('P4');
    expect(priorityOf({ ...facts, alertCount: 100 })).toBe('P2');
    // Repetition alone never reaches P1.
    expect(priorityOf({ ...facts, severity: 1, alertCount: 10_000 })).toBe('P2');
  });
});

describe('batch correlation plan', () => {
  const prioritize: BatchPrioritizer = (facts, current, openedAt) =>
    current === null ? { priority: priorityOf(facts), sla: slaClocks(priorityOf(facts), openedAt) } : { priority: raisedPriority(current, priorityOf(facts)), sla: null };
  const now = new Date('2026-04-01T03:00:00Z');
  const scan = { direction: 'inbound' as const, engine: 'behaviour' as const, explain: 'inbound_port_scan', srcIp: '203.0.113.9', destIp: '192.168.1.10' };
  const stored = (minutes: number, n: number, over: Partial<CorrelatableAlert> = {}, severity = 3) =>
    Array.from({ length: n }, (_, i) => ({ ...at(minutes, over), id: `alert-${minutes}-${i}`, siteId: 'site-1', signature: 'scan', severity }));
  let ids = 0;
  const newId = () => `new-${++ids}`;

  it('joins the open incident, raises its priority once at 100 alerts, and writes one update for the batch', () => {
    ids = 0;
    const alerts = [...stored(0, 30, scan), ...stored(5, 30, scan)];
    const [segment, ...rest] = segmentBatch(alerts);
    expect(rest).toHaveLength(0);
    const open = { id: 'inc-1', kind: 'scan', explain: 'inbound_port_scan', engine: 'behaviour' as const, direction: 'inbound' as const, severity: 3, priority: 'P4' as const, alertCount: '50', lastSeenAt: at(-1).observedAt, createdAt: at(-2).observedAt };
    const plan = planBatchCorrelation([{ organizationId: 'org-a', key: segment!.key, segments: [segment!], open, assetCriticality: null }], prioritize, now, newId);
    expect(plan.inserts).toEqual([]);
    expect(plan.updates).toEqual([{ id: 'inc-1', identity: null, added: 60, firstSeenAt: at(0).observedAt, lastSeenAt: at(5).observedAt, severity: 3, priority: 'P3', correlating: true }]);
    expect(plan.timeline).toEqual([{ incidentId: 'inc-1', organizationId: 'org-a', kind: 'priority_raised', details: { from: 'P4', to: 'P3', alertCount: 110 } }]);
    expect(plan.assignments).toHaveLength(60);
    expect(new Set(plan.assignments.map((a) => a.incidentId))).toEqual(new Set(['inc-1']));
    expect(plan.touched).toEqual(['inc-1']);
  });

  it('closes a quiet incident and opens new ones; only the newest of a key correlates', () => {
    ids = 0;
    // Port-scan window 30 min: the open one was last seen 40 min before, and the batch has a 45-min gap.
    const alerts = [...stored(0, 2, scan), ...stored(45, 3, scan, 2)];
    const segments = segmentBatch(alerts);
    expect(segments.map((s) => s.alerts.length)).toEqual([2, 3]);
    const open = { id: 'inc-1', kind: 'scan', explain: 'inbound_port_scan', engine: 'behaviour' as const, direction: 'inbound' as const, severity: 3, priority: 'P4' as const, alertCount: 7, lastSeenAt: at(-40).observedAt, createdAt: at(-60).observedAt };
    const plan = planBatchCorrelation([{ organizationId: 'org-a', key: segments[0]!.key, segments, open, assetCriticality: 'high' }], prioritize, now, newId);
    expect(plan.updates).toEqual([{ id: 'inc-1', identity: null, added: 0, firstSeenAt: null, lastSeenAt: null, severity: null, priority: 'P4', correlating: false }]);
    expect(plan.inserts.map((i) => [i.id, i.alertCount, i.severity, i.priority, i.correlating, i.firstSeenAt.toISOString()])).toEqual([
      ['new-1', 2, 3, 'P3', false, '2026-04-01T00:00:00.000Z'],
      ['new-2', 3, 2, 'P2', true, '2026-04-01T00:45:00.000Z'],
    ]);
    expect(plan.timeline.map((e) => [e.incidentId, e.kind, e.details.after ?? null])).toEqual([
      ['new-1', 'opened', 'inc-1'],
      ['new-2', 'opened', 'new-1'],
    ]);
    expect(plan.touched).toEqual(['new-1', 'new-2']);
  });

  it('lets late alerts join however old they are', () => {
    ids = 0;
    const [segment] = segmentBatch(stored(-300, 4, scan));
    const open = { id: 'inc-9', kind: 'scan', explain: 'inbound_port_scan', engine: 'behaviour' as const, direction: 'inbound' as const, severity: 3, priority: 'P4' as const, alertCount: 1, lastSeenAt: at(0).observedAt, createdAt: at(0).observedAt };
    const plan = planBatchCorrelation([{ organizationId: 'org-a', key: segment!.key, segments: [segment!], open, assetCriticality: null }], prioritize, now, newId);
    expect(plan.updates.map((u) => [u.id, u.added, u.correlating])).toEqual([['inc-9', 4, true]]);
    expect(plan.inserts).toEqual([]);
  });

  it('raises a beaconing incident to the C2 one when the IOC hit of the same host and peer joins', () => {
    ids = 0;
    const c2 = stored(10, 3, {}, 1).map((a) => ({ ...a, signature: 'OTASUKE IOC known C2 server' }));
    const [segment] = segmentBatch(c2);
    const open = { id: 'inc-b', kind: 'beaconing', explain: 'beaconing', engine: 'behaviour' as const, direction: 'outbound' as const, severity: 2, priority: 'P3' as const, alertCount: 1, lastSeenAt: at(0).observedAt, createdAt: at(0).observedAt };
    const plan = planBatchCorrelation([{ organizationId: 'org-a', key: segment!.key, segments: [segment!], open, assetCriticality: null }], prioritize, now, newId);
    expect(plan.inserts).toEqual([]);
    expect(plan.updates).toEqual([
      {
        id: 'inc-b',
        identity: { kind: 'c2_communication', explain: 'c2_communication', direction: 'outbound', engine: 'ioc', gid: 1, signatureId: 9_000_001, signature: 'OTASUKE IOC known C2 server' },
        added: 3,
        firstSeenAt: at(10).observedAt,
        lastSeenAt: at(10).observedAt,
        severity: 1,
        priority: 'P1',
        correlating: true,
      },
    ]);
    expect(plan.timeline.map((e) => [e.kind, e.details])).toEqual([
      ['reclassified', { from: 'beaconing', to: 'c2_communication', explain: 'c2_communication', alertCount: 4 }],
      ['priority_raised', { from: 'P3', to: 'P1', alertCount: 4 }],
    ]);
  });

  it('keeps the C2 name and P1 when the beaconing alert joins the C2 incident', () => {
    ids = 0;
    const [segment] = segmentBatch(stored(10, 1, { engine: 'behaviour', explain: 'beaconing', signatureId: 9_100_500 }, 2));
    const open = { id: 'inc-c', kind: 'c2_communication', explain: 'c2_communication', engine: 'ioc' as const, direction: 'outbound' as const, severity: 1, priority: 'P1' as const, alertCount: 12, lastSeenAt: at(5).observedAt, createdAt: at(0).observedAt };
    const plan = planBatchCorrelation([{ organizationId: 'org-a', key: segment!.key, segments: [segment!], open, assetCriticality: 'low' }], prioritize, now, newId);
    expect(plan.updates.map((u) => [u.id, u.identity, u.added, u.priority])).toEqual([['inc-c', null, 1, 'P1']]);
    expect(plan.timeline).toEqual([]);
  });

  it('opens a new incident under the most specific alert of its segment', () => {
    ids = 0;
    const alerts = [...stored(0, 1, { engine: 'behaviour', explain: 'beaconing', signatureId: 9_100_500 }, 2), ...stored(1, 2, {}, 1)];
    const [segment] = segmentBatch(alerts);
    const plan = planBatchCorrelation([{ organizationId: 'org-a', key: segment!.key, segments: [segment!], open: null, assetCriticality: null }], prioritize, now, newId);
    expect(plan.inserts.map((i) => [i.kind, i.explain, i.engine, i.signatureId, i.alertCount, i.priority, i.firstSeenAt.toISOString()])).toEqual([
      ['c2_communication', 'c2_communication', 'ioc', 9_000_001, 3, 'P1', '2026-04-01T00:00:00.000Z'],
    ]);
  });
});
