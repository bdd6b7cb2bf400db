import { describe, expect, it } from 'vitest';
import { correlationKeyOf, segmentBatch, type CorrelatableAlert } from './correlation.ts';
import { priorityOf } from './priority.ts';

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
    expect(key).toEqual({ key: 'c2|h=192.168.1.23|p=198.51.100.7', kind: 'c2_communication', ruleId: 'c2', windowMs: 3_600_000, insideHost: '192.168.1.23', peer: '198.51.100.7' });
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

describe('segments of a batch', () => {
  it('keeps alerts within the sliding window together and cuts after a quiet gap', () => {
    // C2 window 60 min: 0, 50, 100 (gap 50 each) stay together; 200 is 100 min after 100 → new.
    const segments = segmentBatch([at(100), at(0), at(200), at(50)]);
    expect(segments.map((s) => s.alerts.map((a) => (a.observedAt.getTime() - base.observedAt.getTime()) / 60_000))).toEqual([[0, 50, 100], [200]]);
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
