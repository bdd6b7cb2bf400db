/**
 * Sensor events made up for tests and the ingest bench: realistic sizes (signature, flow metadata),
 * deterministic from (seq, observedAt), written as the uplink sends them (gzip NDJSON).
 */
import { gzipSync } from 'node:zlib';
import type { SensorEvent } from '@otasuke/shared';

const SIGNATURES = [
  { sid: 2024897, signature: 'ET USER_AGENTS Go HTTP Client User-Agent', category: 'Potentially Bad Traffic', severity: 2 },
  { sid: 2027865, signature: 'ET INFO Observed DNS Query to .cloud TLD', category: 'Potentially Bad Traffic', severity: 3 },
  { sid: 2034567, signature: 'ET MALWARE Cobalt Strike Beacon Observed', category: 'A Network Trojan was detected', severity: 1 },
];

export function syntheticAlertEvent(seq: number, observedAt: Date | string = new Date('2026-04-01T00:30:00Z')): SensorEvent {
  const rule = SIGNATURES[seq % SIGNATURES.length]!;
  const at = typeof observedAt === 'string' ? observedAt : observedAt.toISOString();
  return {
    seq,
    kind: 'alert',
    alert: {
      observedAt: at,
      flowId: String(1_000_000 + seq),
      communityId: '1:LQU9qZlK+B5F3KDmev6m5PMibrg=',
      srcIp: `192.168.1.${(seq % 250) + 2}`,
      srcPort: 40000 + (seq % 20000),
      destIp: '203.0.113.7',
      destPort: 443,
      proto: 'TCP',
      appProto: 'tls',
      direction: 'outbound',
      engine: 'rule',
      explain: 'rule matched',
      gid: 1,
      signatureId: rule.sid,
      rev: 3,
      signature: rule.signature,
      category: rule.category,
      severity: rule.severity,
      metadata: { created_at: ['2024_01_01'], signature_severity: ['Major'] },
      flow: { tls: { sni: `c2-${seq % 97}.example.net`, ja3: 'e7d705a3286e19ea42f587b344ee6865', version: 'TLS 1.2' } },
    },
  };
}

export function ndjsonOf(lines: ReadonlyArray<SensorEvent | string>): string {
  return lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n';
}

export function gzipBatchOf(lines: ReadonlyArray<SensorEvent | string>): Buffer {
  return gzipSync(ndjsonOf(lines));
}
