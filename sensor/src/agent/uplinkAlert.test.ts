import { describe, expect, it } from 'vitest';
import type { EveAlertRecord } from '../eve/eveEvent.ts';
import { UplinkAlertError, uplinkAlertOf } from './uplinkAlert.ts';

const base: EveAlertRecord = {
  timestamp: '2026-11-26T03:42:00.123456+0900',
  flow_id: 1234567890123,
  event_type: 'alert',
  src_ip: '192.168.1.20',
  src_port: 51000,
  dest_ip: '203.0.113.9',
  dest_port: 443,
  proto: 'TCP',
  app_proto: 'tls',
  community_id: '1:abcdef',
  alert: {
    action: 'allowed',
    gid: 1,
    signature_id: 2030000,
    rev: 3,
    signature: 'ET MALWARE Example C2',
    category: 'A Network Trojan was detected',
    severity: 1,
    metadata: {
      otasuke_direction: ['outbound'],
      otasuke_engine: ['rule'],
      otasuke_explain: ['c2_communication'],
      signature_severity: ['Major'],
    },
  },
};

describe('uplinkAlertOf', () => {
  it('maps the alert and takes direction, engine and explanation from the metadata', () => {
    expect(uplinkAlertOf(base)).toEqual({
      observedAt: '2026-11-26T03:42:00.123456+09:00',
      flowId: '1234567890123',
      communityId: '1:abcdef',
      srcIp: '192.168.1.20',
      srcPort: 51000,
      destIp: '203.0.113.9',
      destPort: 443,
      proto: 'TCP',
      appProto: 'tls',
      direction: 'outbound',
      engine: 'rule',
      explain: 'c2_communication',
      gid: 1,
      signatureId: 2030000,
      rev: 3,
      signature: 'ET MALWARE Example C2',
      category: 'A Network Trojan was detected',
      severity: 1,
      metadata: { signature_severity: ['Major'] },
    });
  });

  it('keeps the identifying metadata of the flow and nothing of its contents', () => {
    const record: EveAlertRecord = {
      ...base,
      dns: { version: 3, type: 'request', queries: [{ rrname: 'evil.example', rrtype: 'A', id: 7 }] },
      tls: {
        sni: 'c2.example',
        version: 'TLS 1.2',
        subject: 'CN=c2.example',
        issuerdn: 'CN=Bad CA',
        fingerprint: 'aa:bb',
        ja3: { hash: 'E7D705A3286E19EA42F587B344EE6865', string: '771,4865-…' },
        ja3s: { hash: 'not-a-hash' },
        ja4: 't13d1516h2_8daaf6152771_b0da82dd1658',
        certificate: 'MIIB…',
        chain: ['MIIB…'],
      },
      http: {
        hostname: 'c2.example',
        url: `/gate.php?${'a'.repeat(3000)}`,
        http_method: 'POST',
        http_user_agent: 'Mozilla/4.0',
        status: 200,
        request_headers: [{ name: 'Cookie', value: 'secret' }],
        http_request_body: 'cGFzc3dvcmQ=',
      },
      fileinfo: { filename: 'invoice.exe', size: 4096, md5: '0123456789ABCDEF0123456789abcdef', sha256: 'zz', stored: false },
      ssh: { client: { software_version: 'OpenSSH_8.9', proto_version: '2.0' }, server: { software_version: 'dropbear' } },
      smtp: { mail_from: '<boss@example.jp>', rcpt_to: ['<staff@example.jp>'] },
      email: { subject: '請求書', from: 'boss@example.jp' },
      payload: 'R0VUIC8=',
      payload_printable: 'GET /',
    };
    const alert = uplinkAlertOf(record);
    expect(alert.flow).toEqual({
      dns: { rrname: 'evil.example', rrtype: 'A' },
      tls: {
        sni: 'c2.example',
        version: 'TLS 1.2',
        subject: 'CN=c2.example',
        issuer: 'CN=Bad CA',
        fingerprint: 'aa:bb',
        ja3: 'e7d705a3286e19ea42f587b344ee6865',
        ja4: 't13d1516h2_8daaf6152771_b0da82dd1658',
      },
      http: { hostname: 'c2.example', url: `/gate.php?${'a'.repeat(2048 - 10)}`, method: 'POST', userAgent: 'Mozilla/4.0', status: 200 },
      file: { filename: 'invoice.exe', size: 4096, md5: '0123456789abcdef0123456789abcdef' },
      ssh: { clientSoftware: 'OpenSSH_8.9', serverSoftware: 'dropbear' },
    });
    const wire = JSON.stringify(alert);
    for (const secret of ['secret', 'cGFzc3dvcmQ=', 'R0VUIC8=', 'boss@example.jp', '請求書', 'MIIB']) expect(wire).not.toContain(secret);
  });

  it('sends an alert without Otasuke metadata plainly marked, and cuts over-long metadata', () => {
    const alert = uplinkAlertOf({
      ...base,
      alert: { signature_id: 1, severity: 7, metadata: { ['k'.repeat(150)]: ['v'.repeat(600), ...Array.from({ length: 60 }, (_, i) => `${i}`)] } },
    });
    expect(alert).toMatchObject({ direction: 'external', engine: 'rule', explain: 'unexplained', severity: 3, gid: 1, signature: '', category: '' });
    const [[key, values]] = Object.entries(alert.metadata ?? {}) as [[string, string[]]];
    expect([key.length, values.length, values[0]!.length]).toEqual([100, 50, 512]);
  });

  it('sheds metadata rather than exceed the ingest line limit', () => {
    const metadata = Object.fromEntries(Array.from({ length: 80 }, (_, k) => [`key${k}`, Array.from({ length: 50 }, () => 'v'.repeat(512))]));
    const alert = uplinkAlertOf({ ...base, alert: { ...base.alert, metadata: { ...base.alert.metadata, ...metadata } }, http: { hostname: 'h.example' } });
    expect(alert.metadata).toBeUndefined();
    expect(alert.flow).toEqual({ http: { hostname: 'h.example' } });
    expect(alert.explain).toBe('c2_communication');
    expect(Buffer.byteLength(JSON.stringify({ seq: 2 ** 40, kind: 'alert', alert }))).toBeLessThan(64 * 1024);
  });

  it('refuses a record the schema cannot take, saying why', () => {
    expect(() => uplinkAlertOf({ ...base, src_ip: 'not-an-ip' })).toThrow(UplinkAlertError);
    expect(() => uplinkAlertOf({ ...base, src_ip: 'not-an-ip' })).toThrow(/srcIp/);
  });
});
