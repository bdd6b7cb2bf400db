import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { FeedResult } from '../appLayer.ts';
import { TlsFlowParser } from './tlsFlow.ts';
import type { TlsHandshakeRecord } from './tlsFlow.ts';
import { parseClientHello } from './tlsHello.ts';
import { ja3, ja4 } from './tlsFingerprint.ts';
import { parseX509Certificate } from './x509Certificate.ts';
import { bytes, certificate, clientHelloBody, concat, handshake, record, serverHelloBody, u24 } from './tlsFixtures.ts';

const sha12 = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 12);

describe('ClientHello fingerprints', () => {
  const hello = parseClientHello(clientHelloBody());
  if (hello.status !== 'ok') throw new Error('fixture must parse');
  const h = hello.value;

  it('parses SNI, ALPN, versions, groups, point formats and sigalgs', () => {
    expect(h.sni).toBe('www.example.com');
    expect(h.alpns).toEqual(['h2', 'http/1.1']);
    expect(h.supportedVersions).toEqual([0x3a3a, 0x0304, 0x0303]);
    expect(h.groups).toEqual([0x2a2a, 29, 23, 24]);
    expect(h.pointFormats).toEqual([0]);
    expect(h.sigAlgs).toEqual([0x0403, 0x0804, 0x0401]);
    expect(h.extensions).toEqual([0x1a1a, 0, 23, 10, 11, 16, 13, 43, 0x4a4a]);
  });

  it('computes JA3 without GREASE', () => {
    const s = '771,4865-4866-4867-49195-49199-156,0-23-10-11-16-13-43,29-23-24,0';
    expect(ja3(h)).toEqual({ string: s, hash: createHash('md5').update(s).digest('hex') });
  });

  it('computes JA4 per the FoxIO spec', () => {
    const b = sha12('009c,1301,1302,1303,c02b,c02f');
    const c = sha12('000a,000b,000d,0017,002b_0403,0804,0401');
    expect(ja4(h)).toBe(`t13d0607h2_${b}_${c}`);
    // No SNI, no ALPN, non-alphanumeric ALPN.
    expect(ja4({ ...h, sni: undefined, extensions: h.extensions.filter((e) => e !== 0) }).slice(0, 10)).toBe('t13i0606h2');
    expect(ja4({ ...h, alpnBytes: [] }).slice(8, 10)).toBe('00');
    expect(ja4({ ...h, alpnBytes: [bytes(0xab, 0xcd)] }).slice(8, 10)).toBe('ad');
  });
});

describe('parseX509Certificate', () => {
  it('formats DNs, serial, dates, SAN and fingerprint like Suricata', () => {
    const der = certificate({
      subject: [['CN', 'www.example.com']],
      issuer: [['C', 'US'], ['O', "Let's Encrypt"], ['CN', 'R3']],
      serial: [0x00, 0x9a, 0x01],
      san: ['www.example.com', 'example.com'],
    });
    const r = parseX509Certificate(der);
    expect(r).toEqual({
      status: 'ok',
      consumed: der.length,
      value: {
        subject: 'CN=www.example.com',
        issuerdn: "C=US, O=Let's Encrypt, CN=R3",
        serial: '00:9A:01',
        notbefore: '2024-01-02T03:04:05',
        notafter: '2051-06-07T08:09:10',
        fingerprint: createHash('sha1').update(der).digest('hex').replace(/(..)(?!$)/g, '$1:'),
        subjectaltname: ['www.example.com', 'example.com'],
        selfSigned: false,
      },
    });
  });

  it('rejects every truncation without throwing', () => {
    const der = certificate({ subject: [['CN', 'a']], issuer: [['CN', 'a']], serial: [1] });
    const ok = parseX509Certificate(der);
    expect(ok.status === 'ok' && ok.value.selfSigned).toBe(true);
    for (let i = 0; i < der.length; i++) expect(parseX509Certificate(der.subarray(0, i)).status).toBe('error');
  });
});

describe('TlsFlowParser', () => {
  const cert = certificate({ subject: [['CN', 'www.example.com']], issuer: [['C', 'US'], ['CN', 'Test CA']], serial: [0x42] });
  const ch = handshake(1, clientHelloBody());
  // The ClientHello split over two records, as large post-quantum hellos are.
  const toServer = concat(record(22, ch.subarray(0, 100), 0x0301), record(22, ch.subarray(100), 0x0301), record(20, bytes(1)), record(22, bytes(1, 2, 3, 4, 5)));
  const certMsg = handshake(11, concat(u24(cert.length + 3), u24(cert.length), cert));
  const toClient = concat(record(22, concat(handshake(2, serverHelloBody(0x0303)), certMsg, handshake(14, new Uint8Array(0)))), record(20, bytes(1)), record(23, bytes(9, 9, 9)));

  function run(parts: Uint8Array[], direction: 'toServer' | 'toClient', p = new TlsFlowParser()): FeedResult<TlsHandshakeRecord> {
    const out: FeedResult<TlsHandshakeRecord> = { records: [], anomalies: [] };
    for (const part of parts) {
      const r = p.feed(direction, part);
      out.records.push(...r.records);
      out.anomalies.push(...r.anomalies);
    }
    return out;
  }

  it('builds the EVE tls object from a TLS 1.2 handshake', () => {
    const p = new TlsFlowParser();
    expect(run([toServer], 'toServer', p).anomalies).toEqual([]);
    expect(run([toClient], 'toClient', p).anomalies).toEqual([]);
    const eve = p.eve();
    expect(eve.sni).toBe('www.example.com');
    expect(eve.version).toBe('TLS 1.2');
    expect(eve.subject).toBe('CN=www.example.com');
    expect(eve.issuerdn).toBe('C=US, CN=Test CA');
    expect(eve.serial).toBe('42');
    expect(eve.server_alpns).toEqual(['h2']);
    expect(eve.client_alpns).toEqual(['h2', 'http/1.1']);
    expect(eve.server_handshake).toEqual({ version: 'TLS 1.2', cipher: 0xc02f, exts: [0xff01, 16] });
    expect(eve.client_handshake?.ciphers).toEqual([0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0x009c]);
    expect(eve.ja3s?.string).toBe('771,49199,65281-16');
    expect(p.eve({ chain: true }).chain).toEqual([Buffer.from(cert).toString('base64')]);
  });

  it('reports the end of the server flight and the switch to encryption, once each', () => {
    const types = run([toClient], 'toClient').records.map((r) => (r.type === 'change_cipher_spec' ? `${r.type}:${r.direction}` : r.type));
    expect(types).toEqual(['server_hello', 'certificate', 'server_hello_done', 'change_cipher_spec:toClient']);
    const client = run([toServer], 'toServer').records.map((r) => r.type);
    expect(client).toEqual(['client_hello', 'change_cipher_spec']);
  });

  it('gives identical results whatever byte boundary splits either direction', () => {
    for (const [stream, dir] of [[toServer, 'toServer'], [toClient, 'toClient']] as const) {
      const whole = run([stream], dir);
      expect(whole.records.length).toBeGreaterThan(0);
      for (let i = 0; i <= stream.length; i++) expect(run([stream.slice(0, i), stream.slice(i)], dir)).toEqual(whole);
    }
  });

  it('streams past application data without buffering and still frames what follows', () => {
    const stream = concat(record(23, new Uint8Array(1000).fill(7)), record(21, bytes(1, 0)), record(24, bytes(1, 0, 16)));
    const whole = run([stream], 'toClient');
    expect(whole.anomalies).toEqual([{ name: 'tls.heartbeat_message', direction: 'toClient' }]);
    for (let i = 0; i <= stream.length; i++) {
      for (const j of [i + 1, i + 7, i + 500]) expect(run([stream.slice(0, i), stream.slice(i, j), stream.slice(j)], 'toClient')).toEqual(whole);
    }
  });

  it('stops at TLS 1.3 encryption and raises record anomalies', () => {
    const p = new TlsFlowParser();
    run([record(22, concat(handshake(2, serverHelloBody(0x0304)), handshake(11, bytes(0xff, 0xff))))], 'toClient', p);
    expect(p.eve().version).toBe('TLS 1.3');
    expect(run([bytes(0x17, 0x03, 0x03, 0xff, 0xff)], 'toServer').anomalies).toEqual([{ name: 'tls.invalid_record_length', direction: 'toServer' }]);
    expect(run([bytes(0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15)], 'toServer')).toEqual({ records: [], anomalies: [] });
    expect(run([bytes(0x47, 0x45, 0x54, 0x20, 0x2f)], 'toServer').anomalies).toEqual([{ name: 'tls.invalid_record_type', direction: 'toServer' }]);
    expect(run([record(22, bytes(1, 0xff, 0xff, 0xff))], 'toServer').anomalies).toEqual([{ name: 'tls.handshake_invalid_length', direction: 'toServer' }]);
    expect(run([record(22, handshake(1, bytes(3, 3)))], 'toServer').anomalies).toEqual([{ name: 'tls.invalid_handshake_message', direction: 'toServer' }]);
  });
});
