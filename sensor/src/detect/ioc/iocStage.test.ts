/**
 * The IOC stage through its hooks (hand-made records and packets) and end to end through the
 * SensorPipeline on a capture built for the purpose: a DNS query for a subdomain of a listed
 * domain, a TCP session to a listed C2 address, a connection from a listed attacker, an HTTP GET
 * of a listed URL on a listed host, a TLS session with a listed SNI, JA3 and certificate, and a
 * download of a listed file. Every alert must pass the EVE schema.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { certificate, clientHelloBody, concat, handshake, record, serverHelloBody, u24 } from '../../app-layer/tls/tlsFixtures.ts';
import { TlsFlowParser } from '../../app-layer/tls/tlsFlow.ts';
import { PacketDecoder } from '../../decode/decoder.ts';
import type { EveRecord } from '../../eve/eveEvent.ts';
import { createEveValidator, DEFAULT_EVE_SCHEMA_PATH } from '../../eve/eveSchema.ts';
import { Flow } from '../../flow/flow.ts';
import type { AppRecordOut } from '../../pipeline/appSession.ts';
import { runCapture } from '../../pipeline/runCapture.ts';
import { capturedPacket, ethernet, icmp, ipv4, tcp, udp, writePcap } from '../../testing/pcapWriter.ts';
import type { RaisedAlert } from '../detectionStage.ts';
import { HomeNet, parseIpAddress } from '../homeNet.ts';
import { IocIndex } from './iocIndex.ts';
import { parseIocText } from './iocParse.ts';
import { IOC_SID, IocStage } from './iocStage.ts';

const HOME = HomeNet.parse('[192.168.1.0/24]');
const CLIENT = '192.168.1.10';
const RESOLVER = '192.168.1.1';
const C2 = '198.51.100.23';
const ATTACKER = '203.0.113.9';
const WEB = '192.0.2.80';
const TLS_SERVER = '192.0.2.44';
const T0 = 1_700_000_000;

const BAD_FILE = 'a file some feed lists';
const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
const cert = certificate({ subject: [['CN', 'login.bank.example']], issuer: [['CN', 'Bad CA']], serial: [7] });
const certSha1 = createHash('sha1').update(cert).digest('hex');
const helloBody = clientHelloBody('cdn.evil.example');
/** The JA3 of the fixture's ClientHello, from the sensor's own TLS parser. */
const helloJa3 = (() => {
  const p = new TlsFlowParser();
  p.feed('toServer', record(22, handshake(1, helloBody), 0x0301));
  return p.eve().ja3!.hash;
})();

const FEED = [
  `ip ${C2} threat=botnet_cc malware=Emotet`,
  `ip ${ATTACKER}/32 threat=scanner`,
  'ip 192.168.1.0/24',
  'domain evil.example threat=botnet_cc',
  'domain shop.example',
  `url http://${WEB}:8080/dl/invoice.exe malware=Dridex`,
  `ja3 ${helloJa3} malware=TrickBot`,
  'ja4 t13d0000h2_000000000000_000000000000',
  `cert-sha1 ${certSha1} threat=botnet_cc`,
  `md5 ${md5(BAD_FILE)} malware=Remcos`,
  'url http://[2001:db8:0::80]/payload.bin',
].join('\n');

function makeIndex(): IocIndex {
  const r = parseIocText(FEED, 'test-feed');
  expect(r.errors).toEqual([]);
  return IocIndex.fromEntries(r.entries);
}

function flowOf(client: string, server: string, sport: number, dport: number, proto = 6): Flow {
  const c = { addr: parseIpAddress(client)!, ip: client, port: sport };
  const s = { addr: parseIpAddress(server)!, ip: server, port: dport };
  return new Flow(`${client}-${server}`, 1, proto, 4, [], c, s, true, -1, -1, T0, 0);
}

describe('IocStage hooks', () => {
  it('IP: once per flow on its first packet, both directions, never the office’s own addresses', () => {
    const stage = new IocStage(makeIndex(), HOME);
    const alerts: RaisedAlert[] = [];
    const raise = (a: RaisedAlert): number => alerts.push(a);
    const out = flowOf(CLIENT, C2, 40000, 443);
    const packet = new PacketDecoder().decode(capturedPacket(ethernet({ etherType: 0x0800 }, ipv4({ src: CLIENT, dst: C2, proto: 6 }, tcp({ srcPort: 40000, dstPort: 443, flags: 2 })))));
    for (let i = 0; i < 5; i++) stage.onPacket(packet, out, 'toServer', raise);
    const inbound = flowOf(ATTACKER, CLIENT, 5555, 22);
    stage.onPacket(packet, inbound, 'toServer', raise);
    stage.onPacket(packet, flowOf(CLIENT, RESOLVER, 40001, 53, 17), 'toServer', raise);
    expect(alerts).toEqual([
      {
        engine: 'ioc',
        explain: 'c2_communication',
        severity: 1,
        category: 'Malware Command and Control Activity Detected',
        gid: 1,
        signatureId: IOC_SID['ip-outbound'],
        rev: 1,
        signature: 'OTASUKE IOC connection to a listed IP address',
        direction: 'toServer',
        flow: out,
        metadata: { ioc_feed: ['test-feed'], ioc_type: ['ip'], ioc_value: [C2], ioc_threat: ['botnet_cc'], ioc_malware: ['Emotet'] },
      },
      {
        engine: 'ioc',
        explain: 'inbound_from_known_attacker',
        severity: 2,
        category: 'Misc Attack',
        gid: 1,
        signatureId: IOC_SID['ip-inbound'],
        rev: 1,
        signature: 'OTASUKE IOC connection from a listed IP address',
        direction: 'toServer',
        flow: inbound,
        metadata: { ioc_feed: ['test-feed'], ioc_type: ['ip'], ioc_value: [ATTACKER], ioc_threat: ['scanner'] },
      },
    ]);
  });

  it('packets outside flows alert once a minute per pair', () => {
    const stage = new IocStage(makeIndex(), HOME);
    const alerts: RaisedAlert[] = [];
    const decoder = new PacketDecoder();
    const at = (sec: number) => decoder.decode(capturedPacket(ethernet({ etherType: 0x0800 }, ipv4({ src: CLIENT, dst: C2, proto: 1 }, icmp(8, 0))), 1, T0 + sec));
    for (const sec of [0, 1, 59, 60, 61]) stage.onPacket(at(sec), null, 'toServer', (a) => alerts.push(a));
    expect(alerts.map((a) => [a.signatureId, a.flow, a.packet !== undefined])).toEqual([
      [IOC_SID['ip-outbound'], null, true],
      [IOC_SID['ip-outbound'], null, true],
    ]);
  });

  it('DNS, TLS, HTTP and file records: one alert per indicator per flow, with the payload it came from', () => {
    const stage = new IocStage(makeIndex(), HOME);
    const alerts: RaisedAlert[] = [];
    const raise = (a: RaisedAlert): number => alerts.push(a);
    const dnsFlow = flowOf(CLIENT, RESOLVER, 40000, 53, 17);
    const dns = { version: 3, type: 'request', tx_id: 0, id: 1, queries: [{ rrname: 'A.B.Evil.Example', rrtype: 'A' }] };
    const rec = (flow: Flow, eventType: string, fields: Record<string, unknown>, txId?: number): AppRecordOut => ({
      flow, eventType, direction: eventType === 'fileinfo' ? 'toClient' : 'toServer', fields, logged: true, ...(txId === undefined ? {} : { txId }),
    });
    stage.onAppRecord(rec(dnsFlow, 'dns', { dns }), raise);
    stage.onAppRecord(rec(dnsFlow, 'dns', { dns: { ...dns, type: 'response' } }), raise);
    // Through an alias: www.harmless.example is a CNAME of a listed name.
    const aliasFlow = flowOf(CLIENT, RESOLVER, 40009, 53, 17);
    const aliased = {
      version: 3, type: 'response', tx_id: 0, id: 2, queries: [{ rrname: 'www.harmless.example', rrtype: 'A' }],
      answers: [{ rrname: 'www.harmless.example', rrtype: 'CNAME', ttl: 60, rdata: 'edge.shop.example' }, { rrname: 'edge.shop.example', rrtype: 'A', ttl: 60, rdata: '192.0.2.5' }],
    };
    stage.onAppRecord(rec(aliasFlow, 'dns', { dns: aliased }), raise);
    const tlsFlow = flowOf(CLIENT, TLS_SERVER, 40001, 443);
    const tls = { sni: 'cdn.evil.example', ja3: { hash: helloJa3, string: '…' }, ja4: 't13d0000h2_000000000000_000000000000', fingerprint: certSha1.match(/../g)!.join(':') };
    stage.onAppRecord(rec(tlsFlow, 'tls', { tls }), raise);
    const webFlow = flowOf(CLIENT, WEB, 40002, 8080);
    // The listed URL is on host 192.0.2.80:8080: asked by another name it is not that URL.
    const http = { hostname: 'www.shop.example', url: '/dl/invoice.exe?session=1', http_method: 'GET' };
    stage.onAppRecord(rec(webFlow, 'http', { http }, 0), raise);
    const ipHostFlow = flowOf(CLIENT, WEB, 40003, 8080);
    stage.onAppRecord(rec(ipHostFlow, 'http', { http: { hostname: WEB, url: '/dl/invoice.exe' } }, 0), raise);
    const v6Flow = new Flow('v6', 2, 6, 6, [], { addr: parseIpAddress('fd00::10')!, ip: 'fd00::10', port: 40010 }, { addr: parseIpAddress('2001:db8::80')!, ip: '2001:0db8:0000:0000:0000:0000:0000:0080', port: 80 }, true, -1, -1, T0, 0);
    stage.onAppRecord(rec(v6Flow, 'http', { http: { url: '/payload.bin' } }, 0), raise);
    const fileinfo = { filename: 'invoice.exe', md5: md5(BAD_FILE), sha256: '0'.repeat(64), state: 'CLOSED', size: 10, tx_id: 0 };
    stage.onAppRecord(rec(webFlow, 'fileinfo', { http, fileinfo }, 0), raise);
    stage.onAppRecord(rec(webFlow, 'fileinfo', { http, fileinfo: { ...fileinfo, md5: md5('fine') } }, 1), raise);

    expect(alerts.map((a) => [a.signatureId, a.engine, a.explain, a.severity, a.direction, a.metadata?.ioc_value?.[0], Object.keys(a.app ?? {}), a.txId])).toEqual([
      [IOC_SID['domain-dns'], 'ioc', 'c2_communication', 1, 'toServer', 'evil.example', ['dns'], 0],
      [IOC_SID['domain-dns'], 'ioc', 'malicious_site_access', 2, 'toServer', 'shop.example', ['dns'], 0],
      [IOC_SID['domain-sni'], 'ioc', 'c2_communication', 1, 'toServer', 'evil.example', ['tls'], undefined],
      [IOC_SID.ja3, 'ioc', 'malicious_tls_fingerprint', 3, 'toServer', helloJa3, ['tls'], undefined],
      [IOC_SID.ja4, 'ioc', 'malicious_tls_fingerprint', 2, 'toServer', 't13d0000h2_000000000000_000000000000', ['tls'], undefined],
      [IOC_SID['cert-sha1'], 'ioc', 'malicious_tls_fingerprint', 1, 'toServer', certSha1, ['tls'], undefined],
      [IOC_SID['domain-http-host'], 'ioc', 'malicious_site_access', 2, 'toServer', 'shop.example', ['http'], 0],
      [IOC_SID.url, 'ioc', 'malicious_site_access', 1, 'toServer', `${WEB}:8080/dl/invoice.exe`, ['http'], 0],
      [IOC_SID.url, 'ioc', 'malicious_site_access', 2, 'toServer', '[2001:db8::80]/payload.bin', ['http'], 0],
      [IOC_SID['file-md5'], 'file', 'malware_file', 1, 'toClient', md5(BAD_FILE), ['http', 'fileinfo'], 0],
    ]);
    expect(alerts[7]!.metadata).toEqual({ ioc_feed: ['test-feed'], ioc_type: ['url'], ioc_value: [`${WEB}:8080/dl/invoice.exe`], ioc_malware: ['Dridex'] });
    expect(stage.counts).toEqual({ 'domain-dns': 2, 'domain-sni': 1, ja3: 1, ja4: 1, 'cert-sha1': 1, 'domain-http-host': 1, url: 2, 'file-md5': 1 });
  });

  it('an empty index looks nothing up and raises nothing', () => {
    const stage = new IocStage(new IocIndex(), HOME);
    const alerts: RaisedAlert[] = [];
    const flow = flowOf(CLIENT, C2, 1, 2);
    stage.onAppRecord({ flow, eventType: 'dns', direction: 'toServer', fields: { dns: { queries: [{ rrname: 'evil.example' }] } }, logged: true }, (a) => alerts.push(a));
    stage.onAppRecord({ flow, eventType: 'tls', direction: 'toServer', fields: { tls: 'not an object' } }, (a) => alerts.push(a));
    expect(alerts).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// end to end

const SYN = 0x02;
const ACK = 0x10;
const PSH = 0x08;
const FIN = 0x01;

interface Tcp4 {
  src: string;
  dst: string;
  sport: number;
  dport: number;
}

const frame = (ip: Uint8Array): Uint8Array => ethernet({ etherType: 0x0800 }, ip);
const tcpFrame = (c: Tcp4, flags: number, seq: number, ack: number, payload: Uint8Array | string = ''): Uint8Array =>
  frame(ipv4({ src: c.src, dst: c.dst, proto: 6 }, tcp({ srcPort: c.sport, dstPort: c.dport, seq, ack, flags }, payload)));
const reverse = (c: Tcp4): Tcp4 => ({ src: c.dst, dst: c.src, sport: c.dport, dport: c.sport });

function conversation(c: Tcp4, toServer: Uint8Array | string, toClient: Uint8Array | string): Uint8Array[] {
  const s = reverse(c);
  const a = Buffer.from(toServer as string | Uint8Array).length;
  const b = Buffer.from(toClient as string | Uint8Array).length;
  return [
    tcpFrame(c, SYN, 100, 0),
    tcpFrame(s, SYN | ACK, 500, 101),
    tcpFrame(c, ACK, 101, 501),
    tcpFrame(c, PSH | ACK, 101, 501, toServer),
    tcpFrame(s, ACK, 501, 101 + a),
    tcpFrame(s, PSH | ACK, 501, 101 + a, toClient),
    tcpFrame(c, ACK, 101 + a, 501 + b),
    tcpFrame(c, FIN | ACK, 101 + a, 501 + b),
    tcpFrame(s, FIN | ACK, 501 + b, 102 + a),
    tcpFrame(c, ACK, 102 + a, 502 + b),
  ];
}

function dnsName(name: string): number[] {
  return [...name.split('.').flatMap((label) => [label.length, ...Buffer.from(label, 'latin1')]), 0];
}

function buildCapture(): Uint8Array {
  const dnsQuery = Uint8Array.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, ...dnsName('update.cdn.evil.example'), 0, 1, 0, 1]);
  const httpRequest = `GET /dl/invoice.exe HTTP/1.1\r\nHost: ${WEB}:8080\r\nUser-Agent: otasuke-test\r\n\r\n`;
  const httpResponse = `HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: ${BAD_FILE.length}\r\n\r\n${BAD_FILE}`;
  const serverFlight = record(22, concat(handshake(2, serverHelloBody(0x0303)), handshake(11, concat(u24(cert.length + 3), u24(cert.length), cert)), handshake(14, new Uint8Array(0))));
  const frames: Uint8Array[] = [
    frame(ipv4({ src: CLIENT, dst: RESOLVER, proto: 17 }, udp({ srcPort: 40000, dstPort: 53 }, dnsQuery))),
    ...conversation({ src: CLIENT, dst: C2, sport: 40001, dport: 443 }, 'hello', 'world'),
    ...conversation({ src: ATTACKER, dst: CLIENT, sport: 50000, dport: 22 }, 'SSH-2.0-x\r\n', ''),
    ...conversation({ src: CLIENT, dst: WEB, sport: 40002, dport: 8080 }, httpRequest, httpResponse),
    ...conversation({ src: CLIENT, dst: TLS_SERVER, sport: 40003, dport: 443 }, record(22, handshake(1, helloBody), 0x0301), serverFlight),
  ];
  return writePcap(frames.map((data, i) => ({ data, tsSec: T0 + i, tsNsec: 0 })));
}

const schemaPresent = existsSync(DEFAULT_EVE_SCHEMA_PATH);
if (!schemaPresent) console.warn(`\n*** IOC alert schema checks SKIPPED: ${DEFAULT_EVE_SCHEMA_PATH} is absent ***\n`);

describe('IocStage in the SensorPipeline', () => {
  it('raises the expected alerts on a built capture, each valid EVE with the three metadata keys', async () => {
    const records: EveRecord[] = [];
    await runCapture([buildCapture()], (r) => records.push(r), {
      fileHashes: { md5: true },
      detection: { stages: [new IocStage(makeIndex(), HOME)], homeNet: HOME },
    });
    const alerts = records.filter((r) => r.event_type === 'alert') as unknown as Record<string, unknown>[];
    const summary = alerts.map((a) => {
      const alert = a.alert as { signature_id: number; severity: number; metadata: Record<string, string[]> };
      return [alert.signature_id, a.src_ip, a.dest_ip, alert.metadata.otasuke_direction![0], alert.metadata.otasuke_engine![0], alert.metadata.otasuke_explain![0], alert.severity];
    });
    expect(summary).toEqual([
      [IOC_SID['domain-dns'], CLIENT, RESOLVER, 'internal', 'ioc', 'c2_communication', 1],
      [IOC_SID['ip-outbound'], CLIENT, C2, 'outbound', 'ioc', 'c2_communication', 1],
      [IOC_SID['ip-inbound'], ATTACKER, CLIENT, 'inbound', 'ioc', 'inbound_from_known_attacker', 2],
      [IOC_SID.url, CLIENT, WEB, 'outbound', 'ioc', 'malicious_site_access', 1],
      [IOC_SID['file-md5'], WEB, CLIENT, 'inbound', 'file', 'malware_file', 1],
      [IOC_SID['domain-sni'], CLIENT, TLS_SERVER, 'outbound', 'ioc', 'c2_communication', 1],
      [IOC_SID.ja3, CLIENT, TLS_SERVER, 'outbound', 'ioc', 'malicious_tls_fingerprint', 3],
      [IOC_SID['cert-sha1'], CLIENT, TLS_SERVER, 'outbound', 'ioc', 'malicious_tls_fingerprint', 1],
    ]);
    if (schemaPresent) {
      const validator = createEveValidator();
      for (const a of alerts) expect(validator.validate(a)).toEqual({ ok: true });
    }
  });
});
