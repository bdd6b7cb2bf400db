/**
 * The pipeline end to end on a capture built for the purpose: a DNS query and response over UDP,
 * an HTTP request and response over TCP with handshake and close, a TLS 1.2 handshake, and a broken
 * IPv4 header. The exact EVE records are asserted, and every one must pass the EVE schema.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { certificate, handshake, record, clientHelloBody, serverHelloBody, concat, u24 } from '../app-layer/tls/tlsFixtures.ts';
import type { StreamData } from '../detect/detectionStage.ts';
import { HomeNet } from '../detect/homeNet.ts';
import { IocStage, loadIocTexts } from '../detect/ioc/index.ts';
import type { EveRecord } from '../eve/eveEvent.ts';
import { createEveValidator, DEFAULT_EVE_SCHEMA_PATH } from '../eve/eveSchema.ts';
import { serializeEveRecord } from '../eve/eveWriter.ts';
import { ethernet, ipv4, ipv6, tcp, udp, writePcap } from '../testing/pcapWriter.ts';
import type { PacketRecord } from '../testing/pcapWriter.ts';
import { runCapture } from './runCapture.ts';
import type { CaptureRunOptions } from './runCapture.ts';

const CLIENT = '192.168.1.10';
const RESOLVER = '192.168.1.1';
const WEB = '203.0.113.80';
const TLS_SERVER = '198.51.100.44';
const T0 = 1_700_000_000;

const SYN = 0x02;
const ACK = 0x10;
const PSH = 0x08;
const FIN = 0x01;

function dnsName(name: string): number[] {
  return [...name.split('.').flatMap((label) => [label.length, ...Buffer.from(label, 'latin1')]), 0];
}

/** A query for www.example.com A (id 0x1234, RD), and its answer (RD RA, one A record). */
const dnsQuery = Uint8Array.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, ...dnsName('www.example.com'), 0, 1, 0, 1]);
const dnsResponse = Uint8Array.from([
  0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, ...dnsName('www.example.com'), 0, 1, 0, 1,
  0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0x01, 0x2c, 0, 4, 93, 184, 215, 14,
]);

const httpRequest = 'GET /files/report.pdf?x=1 HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: otasuke-test\r\n\r\n';
const httpBody = 'hello, world';
const httpResponse = `HTTP/1.1 200 OK\r\nContent-Type: application/pdf; charset=binary\r\nContent-Length: ${httpBody.length}\r\n\r\n${httpBody}`;

const cert = certificate({ subject: [['CN', 'www.example.com']], issuer: [['C', 'US'], ['CN', 'Test CA']], serial: [42] });
const clientHello = record(22, handshake(1, clientHelloBody('secure.example.com')), 0x0301);
const serverFlight = record(22, concat(handshake(2, serverHelloBody(0x0303)), handshake(11, concat(u24(cert.length + 3), u24(cert.length), cert)), handshake(14, new Uint8Array(0))));

interface Tcp4 {
  src: string;
  dst: string;
  sport: number;
  dport: number;
}

function frame(ip: Uint8Array): Uint8Array {
  return ethernet({ etherType: 0x0800 }, ip);
}

function tcpFrame(c: Tcp4, flags: number, seq: number, ack: number, payload: Uint8Array | string = ''): Uint8Array {
  return frame(ipv4({ src: c.src, dst: c.dst, proto: 6 }, tcp({ srcPort: c.sport, dstPort: c.dport, seq, ack, flags }, payload)));
}

function reverse(c: Tcp4): Tcp4 {
  return { src: c.dst, dst: c.src, sport: c.dport, dport: c.sport };
}

/** A whole TCP conversation: handshake, client data, server data (each acknowledged), client-first close. */
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

function buildCapture(): Uint8Array {
  const frames: Uint8Array[] = [
    frame(ipv4({ src: CLIENT, dst: RESOLVER, proto: 17 }, udp({ srcPort: 40000, dstPort: 53 }, dnsQuery))),
    frame(ipv4({ src: RESOLVER, dst: CLIENT, proto: 17 }, udp({ srcPort: 53, dstPort: 40000 }, dnsResponse))),
    ...conversation({ src: CLIENT, dst: WEB, sport: 40001, dport: 80 }, httpRequest, httpResponse),
    ...conversation({ src: CLIENT, dst: TLS_SERVER, sport: 40002, dport: 443 }, clientHello, serverFlight),
    // An IPv4 header cut short: a decoder anomaly.
    frame(ipv4({ src: CLIENT, dst: RESOLVER, proto: 17 }, udp({ srcPort: 1, dstPort: 2 }, 'x')).subarray(0, 18)),
  ];
  const packets: PacketRecord[] = frames.map((data, i) => ({ data, tsSec: T0 + Math.floor(i / 10), tsNsec: (i % 10) * 1_000_000 }));
  return writePcap(packets);
}

async function run(bytes: Uint8Array, options: CaptureRunOptions = {}): Promise<EveRecord[]> {
  const records: EveRecord[] = [];
  await runCapture([bytes], (r) => records.push(r), options);
  return records;
}

const schemaPresent = existsSync(DEFAULT_EVE_SCHEMA_PATH);
if (!schemaPresent) console.warn(`\n*** pipeline schema checks SKIPPED: ${DEFAULT_EVE_SCHEMA_PATH} is absent ***\n`);

const ts = (sec: number, ms: number): string => `2023-11-14T22:13:${String(sec).padStart(2, '0')}.${String(ms * 1000).padStart(6, '0')}+0000`;

describe('SensorPipeline', () => {
  it('writes the expected EVE records for DNS, HTTP, TLS, flows, anomalies and stats', async () => {
    const records = (await run(buildCapture(), { fileHashes: { md5: true, sha256: true } })) as unknown as Record<string, unknown>[];
    const summary = records.map((r) => `${String(r.event_type)}${r.pcap_cnt === undefined ? '' : `@${String(r.pcap_cnt)}`}`);
    // TCP data reaches the app layer with the peer's ACK: the request at 6 with 7, the response at
    // 8 with 9; the TLS server flight at 18 with 19.
    expect(summary).toEqual(['dns@1', 'dns@2', 'http@9', 'fileinfo@9', 'tls@19', 'anomaly@23', 'flow', 'flow', 'flow', 'stats']);
    const [dnsQ, dnsR, http, fileinfo, tls, anomaly, dnsFlow, httpFlow, tlsFlow, stats] = records;
    const dnsId = dnsQ?.flow_id;
    const httpId = http?.flow_id;
    const tlsId = tls?.flow_id;
    expect(new Set([dnsId, httpId, tlsId]).size).toBe(3);
    for (const id of [dnsId, httpId, tlsId]) expect(Number.isSafeInteger(id) && (id as number) > 0).toBe(true);

    const udpHeader = { ip_v: 4, proto: 'UDP', app_proto: 'dns' };
    expect(dnsQ).toEqual({
      timestamp: ts(20, 0), flow_id: dnsId, pcap_cnt: 1, event_type: 'dns', src_ip: CLIENT, src_port: 40000, dest_ip: RESOLVER, dest_port: 53, ...udpHeader,
      dns: { version: 3, type: 'request', tx_id: 0, id: 0x1234, flags: '100', qr: false, aa: false, tc: false, rd: true, ra: false, opcode: 0, queries: [{ rrname: 'www.example.com', rrtype: 'A' }] },
    });
    // The response travels server → client, and is paired with the query's transaction.
    expect(dnsR).toEqual({
      timestamp: ts(20, 1), flow_id: dnsId, pcap_cnt: 2, event_type: 'dns', src_ip: RESOLVER, src_port: 53, dest_ip: CLIENT, dest_port: 40000, ...udpHeader,
      dns: {
        version: 3, type: 'response', tx_id: 0, id: 0x1234, flags: '8180', qr: true, aa: false, tc: false, rd: true, ra: true, opcode: 0, rcode: 'NOERROR',
        queries: [{ rrname: 'www.example.com', rrtype: 'A' }],
        answers: [{ rrname: 'www.example.com', rrtype: 'A', ttl: 300, rdata: '93.184.215.14' }],
        grouped: { A: ['93.184.215.14'] },
      },
    });
    const httpEve = {
      hostname: 'www.example.com', url: '/files/report.pdf?x=1', http_user_agent: 'otasuke-test', http_method: 'GET', protocol: 'HTTP/1.1',
      http_content_type: 'application/pdf', status: 200, length: 12,
    };
    expect(http).toEqual({
      timestamp: ts(20, 8), flow_id: httpId, pcap_cnt: 9, event_type: 'http', src_ip: CLIENT, src_port: 40001, dest_ip: WEB, dest_port: 80, ip_v: 4, proto: 'TCP',
      tx_id: 0, http: httpEve, app_proto: 'http',
    });
    // The downloaded body is a file travelling server → client.
    expect(fileinfo).toEqual({
      timestamp: ts(20, 8), flow_id: httpId, pcap_cnt: 9, event_type: 'fileinfo', src_ip: WEB, src_port: 80, dest_ip: CLIENT, dest_port: 40001, ip_v: 4, proto: 'TCP',
      tx_id: 0, app_proto: 'http', http: httpEve,
      fileinfo: {
        filename: '/files/report.pdf', gaps: false, state: 'CLOSED', stored: false, size: 12, tx_id: 0,
        md5: 'e4d7f1b4ed2e42d15898f4b27b019da4', sha256: '09ca7e4eaa6e8ae9c7d261167129184883644d07dfba7cbfbc4c8a2e08360d5b',
      },
    });
    expect(tls).toMatchObject({
      timestamp: ts(21, 8), flow_id: tlsId, pcap_cnt: 19, event_type: 'tls', src_ip: CLIENT, src_port: 40002, dest_ip: TLS_SERVER, dest_port: 443, ip_v: 4, proto: 'TCP',
      app_proto: 'tls',
      tls: {
        sni: 'secure.example.com', version: 'TLS 1.2', subject: 'CN=www.example.com', issuerdn: 'C=US, CN=Test CA', serial: '2A',
        notbefore: '2024-01-02T03:04:05', notafter: '2051-06-07T08:09:10', client_alpns: ['h2', 'http/1.1'], server_alpns: ['h2'],
        ja3: { hash: 'ffefa35c85aa922df9fe27410220a3e8' }, ja3s: { string: '771,49199,65281-16' }, ja4: 't13d0607h2_db2546af4a66_1fdf4de06b7e',
      },
    });
    expect(anomaly).toEqual({ timestamp: ts(22, 2), pcap_cnt: 23, event_type: 'anomaly', anomaly: { type: 'decode', event: 'ipv4.pkt_too_small' } });

    const end = ts(22, 2);
    expect(dnsFlow).toEqual({
      timestamp: end, flow_id: dnsId, event_type: 'flow', src_ip: CLIENT, src_port: 40000, dest_ip: RESOLVER, dest_port: 53, ip_v: 4, proto: 'UDP', app_proto: 'dns',
      flow: { pkts_toserver: 1, pkts_toclient: 1, bytes_toserver: 75, bytes_toclient: 91, start: ts(20, 0), end: ts(20, 1), age: 0, state: 'established', reason: 'shutdown', alerted: false },
    });
    const closedTcp = { tcp_flags: '1b', tcp_flags_ts: '1b', tcp_flags_tc: '1b', syn: true, fin: true, psh: true, ack: true, state: 'closed' };
    expect(httpFlow).toEqual({
      timestamp: end, flow_id: httpId, event_type: 'flow', src_ip: CLIENT, src_port: 40001, dest_ip: WEB, dest_port: 80, ip_v: 4, proto: 'TCP', app_proto: 'http',
      flow: { pkts_toserver: 6, pkts_toclient: 4, bytes_toserver: 411, bytes_toclient: 314, start: ts(20, 2), end: ts(21, 1), age: 1, state: 'closed', reason: 'shutdown', alerted: false },
      tcp: closedTcp,
    });
    expect(tlsFlow).toMatchObject({ flow_id: tlsId, event_type: 'flow', app_proto: 'tls', dest_port: 443, tcp: closedTcp });
    expect(stats).toEqual({
      timestamp: end, event_type: 'stats',
      stats: {
        uptime: 2,
        decoder: { pkts: 23, bytes: 1904, invalid: 1, ipv4: 22, ipv6: 0, tcp: 20, udp: 2 },
        flow: { total: 3, tcp_reuse: 0, memcap: 0 },
        app_layer: { flow: { dns_udp: 1, http: 1, tls: 1 } },
      },
    });
  });

  it.skipIf(!schemaPresent)('writes only records that pass the EVE schema', async () => {
    const validator = createEveValidator();
    const records = await run(buildCapture(), { communityIdSeed: 0, fileHashes: { md5: true, sha1: true, sha256: true } });
    expect(records.length).toBe(10);
    for (const r of records) expect(validator.validate(JSON.parse(serializeEveRecord(r))), serializeEveRecord(r)).toEqual({ ok: true });
  });

  it('writes only the event types asked for, with community_id when a seed is given', async () => {
    const records = await run(buildCapture(), { eveTypes: new Set(['dns', 'flow']), communityIdSeed: 0 });
    expect(records.map((r) => r.event_type)).toEqual(['dns', 'dns', 'flow', 'flow', 'flow']);
    for (const r of records) expect((r as { community_id?: string }).community_id).toMatch(/^1:[A-Za-z0-9+/]{27}=$/);
    const without = await run(buildCapture(), { eveTypes: new Set(['flow']) });
    for (const r of without) expect(r).not.toHaveProperty('community_id');
  });

  it('writes IPv6 addresses fully expanded, as Suricata does', async () => {
    const frames = [
      ethernet({ etherType: 0x86dd }, ipv6({ src: '2001:db8::1', dst: '2001:db8::53', nextHeader: 17 }, udp({ srcPort: 5353, dstPort: 53 }, dnsQuery))),
    ];
    const records = await run(writePcap(frames.map((data) => ({ data, tsSec: T0 }))), { eveTypes: new Set(['dns', 'flow']) });
    expect(records.map((r) => [r.event_type, (r as { src_ip?: string }).src_ip, (r as { dest_ip?: string }).dest_ip])).toEqual([
      ['dns', '2001:0db8:0000:0000:0000:0000:0000:0001', '2001:0db8:0000:0000:0000:0000:0000:0053'],
      ['flow', '2001:0db8:0000:0000:0000:0000:0000:0001', '2001:0db8:0000:0000:0000:0000:0000:0053'],
    ]);
  });

  it('parses a side that is never acknowledged (one-sided capture) once 256 KiB wait, not only at the end', async () => {
    const c = { src: CLIENT, dst: WEB, sport: 40006, dport: 80 };
    const request = 'GET /a HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: one-sided-capture-test/1.0\r\nAccept: */*\r\n\r\n';
    const segment = request.repeat(10);
    const frames = [tcpFrame(c, SYN, 100, 0)];
    let seq = 101;
    for (let i = 0; i < 400; i++) {
      frames.push(tcpFrame(c, PSH | ACK, seq, 501, segment));
      seq += segment.length;
    }
    const records = await run(writePcap(frames.map((data) => ({ data, tsSec: T0 }))), { eveTypes: new Set(['http']) });
    const counts = records.map((r) => (r as { pcap_cnt?: number }).pcap_cnt ?? 0);
    expect(records.length).toBe(4000);
    // More than 256 requests wait for a response, so the parser logs the oldest as they pile up;
    // with the side held back until an ACK that never comes, all would wait for the end instead.
    expect(Math.min(...counts)).toBeLessThan(frames.length);
  });

  it('gives an unknown protocol app_proto "failed" and logs the rest of the flow as usual', async () => {
    const frames = conversation({ src: CLIENT, dst: WEB, sport: 40005, dport: 7777 }, '\x00\x01binary hello', '\x00\x02binary reply');
    const records = await run(writePcap(frames.map((data, i) => ({ data, tsSec: T0 + i }))));
    expect(records.map((r) => r.event_type)).toEqual(['flow', 'stats']);
    expect(records[0]).toMatchObject({ app_proto: 'failed', flow: { pkts_toserver: 6, pkts_toclient: 4 } });
  });

  it('matches file-hash IOCs of downloads and uploads with only alerts written', async () => {
    const upload = 'quarterly figures, going out';
    const download = 'MZ a dropper coming in';
    const frames = conversation({ src: CLIENT, dst: WEB, sport: 40007, dport: 80 },
      `POST /share/figures.xlsx HTTP/1.1\r\nHost: files.example.com\r\nContent-Length: ${upload.length}\r\n\r\n${upload}`,
      `HTTP/1.1 200 OK\r\nContent-Length: ${download.length}\r\n\r\n${download}`);
    const hex = (algo: string, b: string): string => createHash(algo).update(b).digest('hex');
    // The feed lists the upload's SHA-1 and the download's MD5: digests nobody asked to write.
    const { index } = loadIocTexts([{ name: 'hashes.txt', lines: `${hex('sha1', upload)}\n${hex('md5', download)}\n` }]);
    const homeNet = HomeNet.parse('192.168.0.0/16');
    const records = (await run(writePcap(frames.map((data, i) => ({ data, tsSec: T0 + i }))), {
      eveTypes: new Set(['alert']), detection: { stages: [new IocStage(index, homeNet)], homeNet },
    })) as unknown as { event_type: string; alert: { metadata: Record<string, string[]> }; fileinfo: { filename: string } }[];
    expect(records.map((r) => [r.event_type, r.alert.metadata.otasuke_engine?.[0], r.fileinfo?.filename])).toEqual([
      ['alert', 'file', '/share/figures.xlsx'],
      ['alert', 'file', '/share/figures.xlsx'],
    ]);
  });

  it('lets raw-stream detection see the bytes of a flow no parser takes, writing nothing more', async () => {
    const seen: string[] = [];
    const stage = { name: 'raw', onStream: (d: StreamData): void => void seen.push(Buffer.from(d.data).toString('latin1')) };
    const frames = conversation({ src: CLIENT, dst: WEB, sport: 40008, dport: 23 }, Buffer.from('\xff\xfb\x01login: admin', 'latin1'), Buffer.from('\xff\xfd\x01password?', 'latin1'));
    const records = await run(writePcap(frames.map((data, i) => ({ data, tsSec: T0 + i }))), { detection: { stages: [stage], homeNet: HomeNet.parse('192.168.0.0/16') } });
    expect(seen.join('|')).toBe('\xff\xfb\x01login: admin|\xff\xfd\x01password?');
    expect(records.map((r) => r.event_type)).toEqual(['flow', 'stats']);
  });
});
