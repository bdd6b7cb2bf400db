import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, withDigest } from './evidence.ts';

describe('evidence digests', () => {
  it('writes canonical JSON: keys sorted at every level, no spaces, absent keys dropped, null kept', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: null, y: 'é' }], c: undefined } })).toBe('{"a":{"d":[3,{"y":"é","z":null}]},"b":1}');
  });

  it('hashes the canonical JSON, so key order does not change the digest', () => {
    const fields = {
      alertId: '6f1c2d3e-4b5a-4c6d-8e7f-001122334455', observedAt: '2026-03-02T01:00:00.000Z', sensorId: '6f1c2d3e-4b5a-4c6d-8e7f-001122334466', seq: 1,
      direction: 'outbound' as const, engine: 'ioc' as const, explain: 'c2_communication', gid: 1, signatureId: 9_000_001, signature: 'C2', category: 'c2', severity: 1,
      srcIp: '192.168.1.23', srcPort: 49152, destIp: '198.51.100.7', destPort: 443, proto: 'TCP', appProto: 'tls', flow: { tls: { sni: 'c2.example.net' } },
    };
    const reordered = Object.fromEntries(Object.entries(fields).reverse()) as typeof fields;
    const digest = withDigest(fields).sha256;
    expect(withDigest(reordered).sha256).toBe(digest);
    expect(digest).toBe(createHash('sha256').update(canonicalJson(fields)).digest('hex'));
    expect(withDigest({ ...fields, seq: 2 }).sha256).not.toBe(digest);
  });
});
