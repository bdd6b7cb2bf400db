import { describe, expect, it } from 'vitest';
import { DEFAULT_BEHAVIOUR_CONFIG, parseBehaviourConfig } from './behaviourConfig.ts';
import { appRecord, collector, countPacket, testFlow } from './behaviourFixtures.ts';
import { tlsDateSeconds, WeakTlsDetector, weakCipherFamily } from './weakTlsDetector.ts';

const CLIENT = '192.168.1.20';
const SERVER = '198.51.100.80';
/** 2024-01-01T00:00:00Z */
const NOW = 1_704_067_200;

function tlsFlow(sec = NOW) {
  const f = testFlow({ src: CLIENT, dst: SERVER, dport: 443, sec });
  countPacket(f, 'toServer', sec);
  return f;
}

const GOOD = {
  sni: 'www.example.jp',
  version: 'TLS 1.3',
  subject: 'CN=www.example.jp',
  issuerdn: "C=US, O=Let's Encrypt, CN=R3",
  fingerprint: 'aa:bb',
  notbefore: '2023-12-01T00:00:00',
  notafter: '2024-03-01T00:00:00',
  server_handshake: { version: 'TLS 1.2', cipher: 0x1301 },
};

describe('WeakTlsDetector', () => {
  it('raises nothing for a current TLS 1.3 session with a CA-issued certificate', () => {
    const d = new WeakTlsDetector(DEFAULT_BEHAVIOUR_CONFIG.weakTls);
    const { alerts, raise } = collector();
    d.onAppRecord(appRecord(tlsFlow(), 'tls', { tls: GOOD }), raise);
    expect(alerts).toEqual([]);
  });

  it('raises each finding of a bad session once, with its evidence', () => {
    const d = new WeakTlsDetector(DEFAULT_BEHAVIOUR_CONFIG.weakTls);
    const { alerts, raise } = collector();
    const tls = { ...GOOD, version: 'TLSv1', issuerdn: GOOD.subject, notafter: '2023-12-31T23:59:59', server_handshake: { version: 'TLSv1', cipher: 0x0005 } };
    for (let i = 0; i < 5; i++) d.onAppRecord(appRecord(tlsFlow(NOW + i), 'tls', { tls }), raise);
    expect(alerts.map((a) => [a.signatureId, a.explain, a.severity, a.flow?.srcIp])).toEqual([
      [9_100_200, 'weak_tls_version', 3, CLIENT],
      [9_100_201, 'weak_tls_cipher', 3, CLIENT],
      [9_100_202, 'tls_expired_certificate', 3, CLIENT],
      [9_100_203, 'tls_self_signed_certificate', 3, CLIENT],
    ]);
    expect(alerts[0]!.metadata).toEqual({ sni: ['www.example.jp'], tls_version: ['TLSv1'], server_port: ['443'] });
    expect(alerts[1]!.metadata).toEqual({ sni: ['www.example.jp'], cipher_suite: ['0x0005'], cipher_family: ['RC4'], server_port: ['443'] });
    expect(alerts[2]!.metadata?.notafter).toEqual(['2023-12-31T23:59:59']);
  });

  it('alerts again after realertSec', () => {
    const d = new WeakTlsDetector(parseBehaviourConfig({ weakTls: { realertSec: 60 } }).weakTls);
    const { alerts, raise } = collector();
    for (let i = 0; i < 5; i++) d.onAppRecord(appRecord(tlsFlow(NOW + i * 30), 'tls', { tls: { version: 'SSLv3' } }), raise);
    expect(alerts.map((a) => a.timestamp?.sec)).toEqual([NOW, NOW + 60, NOW + 120]);
  });

  it('raises a certificate not yet valid as expired-or-not-yet-valid', () => {
    const d = new WeakTlsDetector(DEFAULT_BEHAVIOUR_CONFIG.weakTls);
    const { alerts, raise } = collector();
    d.onAppRecord(appRecord(tlsFlow(), 'tls', { tls: { ...GOOD, notbefore: '2024-06-01T00:00:00', notafter: '2025-06-01T00:00:00' } }), raise);
    expect(alerts.map((a) => a.explain)).toEqual(['tls_expired_certificate']);
  });

  it('recognises an SSLv2 SERVER-HELLO on the server stream', () => {
    const d = new WeakTlsDetector(DEFAULT_BEHAVIOUR_CONFIG.weakTls);
    const { alerts, raise } = collector();
    const f = tlsFlow();
    d.onStream({ flow: f, direction: 'toClient', data: Uint8Array.from([0x83, 0xe4, 0x04, 0x00, 0x01, 0x00, 0x02, 0x03]) }, raise);
    d.onStream({ flow: f, direction: 'toClient', data: Uint8Array.from([0x83, 0xe4, 0x04, 0x00, 0x01, 0x00, 0x02, 0x03]) }, raise);
    const g = tlsFlow();
    d.onStream({ flow: g, direction: 'toClient', data: Uint8Array.from([0x16, 0x03, 0x03, 0x00, 0x40, 0x02, 0x00]) }, raise);
    expect(alerts.map((a) => [a.signatureId, a.metadata?.tls_version])).toEqual([[9_100_200, ['SSLv2']]]);
  });

  it('classifies cipher suites by family and reads EVE tls dates', () => {
    expect([0x0000, 0x0003, 0x0004, 0x0009, 0x000a, 0xc012, 0x002f, 0x1301, 0xc02f].map(weakCipherFamily)).toEqual([
      'NULL', 'EXPORT', 'RC4', 'DES', '3DES', '3DES', undefined, undefined, undefined,
    ]);
    expect(tlsDateSeconds('2024-01-01T00:00:00')).toBe(NOW);
    expect(tlsDateSeconds('garbage')).toBeNaN();
  });

  it('ignores records without a tls payload and other event types', () => {
    const d = new WeakTlsDetector(DEFAULT_BEHAVIOUR_CONFIG.weakTls);
    const { alerts, raise } = collector();
    d.onAppRecord(appRecord(tlsFlow(), 'tls', {}), raise);
    d.onAppRecord(appRecord(tlsFlow(), 'http', { http: { version: 'SSLv3' } }), raise);
    d.onAppRecord(appRecord(tlsFlow(), 'tls', { tls: { subject: 'CN=x', issuerdn: 'CN=y', notbefore: 'bad', notafter: 'bad' } }), raise);
    expect(alerts).toEqual([]);
  });
});
