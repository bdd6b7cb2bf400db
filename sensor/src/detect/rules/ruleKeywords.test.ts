/**
 * Keywords from Suricata 8 the engine evaluates: `vlan.id` (layers, `all`, negation, exclusive
 * ranges), the packet header buffers (`ipv6.hdr`, `ipv4.hdr`, `tcp.hdr`, `udp.hdr`), the DNS name
 * buffers (answers, response, both directions), payload content beside a DNS buffer, pcre captures
 * into packet and flow variables (EVE `metadata`, `traffic`, netflow), and flow keys without VLANs.
 */
import { describe, expect, it } from 'vitest';
import type { EveRecord } from '../../eve/eveEvent.ts';
import { FlowTable } from '../../flow/flowTable.ts';
import { DEFAULT_FLOW_TIMEOUTS } from '../../flow/flowTable.ts';
import { tcpPacket } from '../../flow/flowTestPackets.ts';
import { runCapture } from '../../pipeline/runCapture.ts';
import type { SensorEventType } from '../../pipeline/sensorPipeline.ts';
import { ethernet, ipv4, ipv6, tcp, udp, writePcap } from '../../testing/pcapWriter.ts';
import { certificate, clientHelloBody, concat, handshake, record, serverHelloBody, u24 } from '../../app-layer/tls/tlsFixtures.ts';
import { HomeNet } from '../homeNet.ts';
import { loadRulesText } from './index.ts';
import { parseUintTest, testNumber, vlanIdMatches } from './ruleParser.ts';

const T0 = 1_700_000_000;

async function run(rules: string, frames: readonly Uint8Array[], eveTypes?: readonly SensorEventType[]): Promise<EveRecord[]> {
  const load = loadRulesText(rules);
  expect(load.stats.errors).toEqual([]);
  expect(load.stats.skipReasons).toEqual([]);
  const records: EveRecord[] = [];
  await runCapture([writePcap(frames.map((data, i) => ({ data, tsSec: T0 + i, tsNsec: 0 })))], (r) => records.push(r), {
    detection: { stages: [load.engine], homeNet: HomeNet.parse('[192.168.0.0/16]') },
    ...(eveTypes === undefined ? {} : { eveTypes: new Set(eveTypes) }),
  });
  return records;
}

const sids = (records: readonly EveRecord[]): number[] =>
  records.filter((r) => r.event_type === 'alert').map((r) => (r as unknown as { alert: { signature_id: number } }).alert.signature_id).sort((a, b) => a - b);

describe('unsigned integer syntax', () => {
  it('reads Suricata modes: equality, comparisons, exclusive and negated ranges, hex', () => {
    const t = (text: string, v: number): boolean => testNumber(parseUintTest(text, 'x', 4095), v);
    expect([t('300', 300), t('0x12C', 300), t('!200', 200), t('!=200', 201)]).toEqual([true, true, false, true]);
    expect([t('<400', 399), t('<=400', 400), t('>100', 100), t('>=0xC8', 200)]).toEqual([true, true, false, true]);
    expect([t('100-600', 100), t('100-600', 101), t('100-600', 599), t('100<>600', 600)]).toEqual([false, true, true, false]);
    expect([t('!100-600', 100), t('!100-600', 300), t('!100-600', 600)]).toEqual([true, false, true]);
    expect(() => parseUintTest('5000', 'vlan.id', 4095)).toThrow(/outside/);
    expect(() => parseUintTest('6-2', 'x', 4095)).toThrow(/empty/);
    expect(() => parseUintTest('abc', 'x', 4095)).toThrow(/not N/);
  });
});

describe('vlan.id', () => {
  const check = (test: string, layer: number | 'any' | 'all', vlans: number[]): boolean => vlanIdMatches({ test: parseUintTest(test, 'vlan.id', 4095), layer }, vlans);

  it('matches any layer by default, one layer by index (negative from the innermost), or all', () => {
    const v = [200, 300, 400];
    expect([check('300', 'any', v), check('500', 'any', v)]).toEqual([true, false]);
    expect([check('200', 0, v), check('300', 0, v), check('400', -1, v), check('200', -3, v)]).toEqual([true, false, true, true]);
    expect([check('>100', 'all', v), check('>250', 'all', v), check('!500', 'all', v)]).toEqual([true, false, true]);
    expect([check('200', 2, [200]), check('!200', 'all', [])]).toEqual([false, false]);
  });

  it('fires on tagged packets through the engine, and refuses bad layers', async () => {
    const frame = ethernet({ etherType: 0x0800, vlan: [200, 300] }, ipv4({ src: '192.168.1.10', dst: '192.168.1.20', proto: 17 }, udp({ srcPort: 1000, dstPort: 2000 }, 'x')));
    const rules = [
      'alert ip any any -> any any (vlan.id:200,0; sid:1;)',
      'alert ip any any -> any any (vlan.id:300; sid:2;)',
      'alert ip any any -> any any (vlan.id:300,0; sid:3;)',
      'alert ip any any -> any any (vlan.id:<250,all; sid:4;)',
    ].join('\n');
    expect(sids(await run(rules, [frame]))).toEqual([1, 2]);
    expect(loadRulesText('alert ip any any -> any any (vlan.id:1,3; sid:1;)').stats.skipReasons).toEqual([{ reason: 'vlan.id: bad layer', count: 1 }]);
  });

  it('keys flows without VLANs when vlan.use-for-tracking is off', () => {
    const ended: never[] = [];
    const tagged = tcpPacket({ src: '10.0.0.1', dst: '10.0.0.2', sport: 1000, dport: 80, vlan: [7] }, 0x02, 1, 0);
    const plain = tcpPacket({ src: '10.0.0.2', dst: '10.0.0.1', sport: 80, dport: 1000 }, 0x12, 1, 2);
    const tracking = new FlowTable();
    expect(tracking.lookup(tagged, ended)).not.toBe(tracking.lookup(plain, ended));
    const untracked = new FlowTable({ maxFlows: 10, timeouts: DEFAULT_FLOW_TIMEOUTS, vlanTracking: false });
    const f = untracked.lookup(tagged, ended);
    expect(untracked.lookup(plain, ended)).toBe(f);
    expect(f.vlan).toEqual([7]);
  });
});

describe('packet header buffers', () => {
  it('inspects the IPv6 header, the IPv4 header and the TCP and UDP headers', async () => {
    const v6 = ethernet({ etherType: 0x86dd }, ipv6({ src: '2001:db8::1', dst: '2001:db8::2', nextHeader: 17, hopLimit: 0x40 }, udp({ srcPort: 5000, dstPort: 6000 }, 'hi')));
    const v4 = ethernet({ etherType: 0x0800 }, ipv4({ src: '192.168.1.10', dst: '192.168.1.20', proto: 6 }, tcp({ srcPort: 4444, dstPort: 80, seq: 1, ack: 0, flags: 0x02 })));
    const rules = [
      'alert ip any any -> any any (ipv6.hdr; content:"|40|"; offset:7; depth:1; sid:1;)',
      'alert ip any any -> any any (ipv4.hdr; content:"|06|"; offset:9; depth:1; sid:2;)',
      'alert tcp any any -> any any (tcp.hdr; content:"|11 5c|"; offset:0; depth:2; sid:3;)',
      'alert udp any any -> any any (udp.hdr; content:"|13 88 17 70|"; depth:4; sid:4;)',
      'alert ip any any -> any any (ipv4.hdr; content:"|11|"; offset:9; depth:1; sid:5;)',
    ].join('\n');
    expect(sids(await run(rules, [v6, v4]))).toEqual([1, 2, 3, 4]);
  });

  it('refuses header buffers in app-layer rules', () => {
    const load = loadRulesText('alert http any any -> any any (tcp.hdr; content:"a"; http.uri; content:"b"; sid:1;)');
    expect(load.stats.skipReasons).toEqual([{ reason: 'packet header buffer in app-layer rule', count: 1 }]);
  });
});

function dnsName(name: string): number[] {
  return [...name.split('.').flatMap((l) => [l.length, ...Buffer.from(l, 'latin1')]), 0];
}

/** A response for `name` with an A answer and a CNAME answer to `alias`. */
function dnsResponse(name: string, alias: string): Uint8Array {
  return Uint8Array.from([
    0x12, 0x34, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 0, ...dnsName(name), 0, 1, 0, 1,
    0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, dnsName(alias).length, ...dnsName(alias),
    0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1,
  ]);
}
const dnsQuery = (name: string): Uint8Array => Uint8Array.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, ...dnsName(name), 0, 1, 0, 1]);
const dnsFrame = (toServer: boolean, payload: Uint8Array): Uint8Array =>
  ethernet({ etherType: 0x0800 }, ipv4({ src: toServer ? '192.168.1.10' : '192.168.1.1', dst: toServer ? '192.168.1.1' : '192.168.1.10', proto: 17 },
    udp({ srcPort: toServer ? 40000 : 53, dstPort: toServer ? 53 : 40000 }, payload)));

describe('DNS name buffers', () => {
  it('reads answers, the whole response, and query names in either direction', async () => {
    const rules = [
      'alert dns any any -> any any (dns.answers.rrname; content:"shop.example"; sid:1;)',
      'alert dns any any -> any any (dns.answer.name; content:"cdn.example"; sid:2;)',
      'alert dns any any -> any any (dns.answers.rrname; content:"cdn.example"; sid:3;)',
      'alert dns any any -> any any (dns.response.rrname; content:"cdn.example"; sid:4;)',
      'alert dns any any -> any any (dns.queries.rrname; content:"shop.example"; sid:5;)',
      'alert dns any any -> any any (dns.query; content:"shop.example"; sid:6;)',
    ].join('\n');
    const records = await run(rules, [dnsFrame(true, dnsQuery('shop.example')), dnsFrame(false, dnsResponse('shop.example', 'cdn.example'))]);
    const alerts = records.filter((r) => r.event_type === 'alert') as unknown as { alert: { signature_id: number }; direction: string }[];
    expect(alerts.map((a) => `${a.alert.signature_id}:${a.direction}`).sort()).toEqual(['1:to_client', '2:to_client', '4:to_client', '5:to_client', '5:to_server', '6:to_server']);
  });

  it('checks payload content beside a DNS buffer on the packet that carried the message', async () => {
    const rules = [
      'alert dns any any -> any any (flow:to_server; content:"|01 00 00 01|"; offset:2; depth:4; dns.query; content:"shop"; sid:1;)',
      'alert dns any any -> any any (flow:to_server; content:"|81 80|"; offset:2; depth:2; dns.query; content:"shop"; sid:2;)',
    ].join('\n');
    expect(sids(await run(rules, [dnsFrame(true, dnsQuery('shop.example'))]))).toEqual([1]);
  });
});

describe('pcre captures and EVE metadata', () => {
  const SYN = 0x02;
  const ACK = 0x10;
  const PSH = 0x08;
  const FIN = 0x01;
  const c = { src: '192.168.1.10', dst: '203.0.113.9', sport: 45000, dport: 80 };
  const t = (from: typeof c, flags: number, seq: number, ack: number, payload = ''): Uint8Array =>
    ethernet({ etherType: 0x0800 }, ipv4({ src: from.src, dst: from.dst, proto: 6 }, tcp({ srcPort: from.sport, dstPort: from.dport, seq, ack, flags }, payload)));
  const s = { src: c.dst, dst: c.src, sport: c.dport, dport: c.sport };
  const req = 'GET / HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: curl/8.0\r\n\r\n';
  const body = 'uid=0(root) gid=0(root)';
  const res = `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
  const frames = [
    t(c, SYN, 100, 0), t(s, SYN | ACK, 500, 101), t(c, ACK, 101, 501), t(c, PSH | ACK, 101, 501, req),
    t(s, ACK, 501, 101 + req.length), t(s, PSH | ACK, 501, 101 + req.length, res), t(c, ACK, 101 + req.length, 501 + res.length),
    t(c, FIN | ACK, 101 + req.length, 501 + res.length), t(s, FIN | ACK, 501 + res.length, 102 + req.length), t(c, ACK, 102 + req.length, 502 + res.length),
  ];
  const rules = [
    'alert http any any -> any any (content:"curl"; http_user_agent; flowbits:set,traffic/label/cli-http; flowbits:set,traffic/id/curl; flowbits:set,seen; sid:1;)',
    'alert http any any -> any any (pcre:"/uid=(\\d+)\\(([^)]+)\\)/, pkt:uid, pkt:username"; noalert; sid:2;)',
    'alert http any any -> any any (pcre:"/gid=(\\d+)/, flow:gid"; noalert; sid:3;)',
  ].join('\n');

  it('logs flowbits, traffic bits, flow and packet variables; netflow and metadata records on request', async () => {
    const records = await run(rules, frames, ['alert', 'http', 'flow', 'netflow', 'metadata']);
    const flow = records.find((r) => r.event_type === 'flow') as unknown as Record<string, unknown>;
    expect(flow.traffic).toEqual({ id: ['curl'], label: ['cli-http'] });
    expect(flow.metadata).toEqual({ flowbits: ['seen'], flowvars: [{ gid: '0' }] });
    const alert = records.find((r) => r.event_type === 'alert') as unknown as Record<string, unknown>;
    expect(alert.traffic).toEqual({ id: ['curl'], label: ['cli-http'] });
    const netflow = records.filter((r) => r.event_type === 'netflow') as unknown as { src_port: number; netflow: { pkts: number }; traffic: unknown }[];
    expect(netflow.map((n) => [n.src_port, n.netflow.pkts])).toEqual([[45000, 6], [80, 4]]);
    expect(netflow.every((n) => (n.traffic as { label: string[] }).label[0] === 'cli-http')).toBe(true);
    const meta = records.filter((r) => r.event_type === 'metadata') as unknown as { metadata: Record<string, unknown> }[];
    expect(meta).toHaveLength(1);
    expect(meta[0]!.metadata.pktvars).toEqual([{ uid: '0' }, { username: 'root' }]);
    expect(meta[0]!.metadata.flowvars).toEqual([{ gid: '0' }]);
    expect(sids(records)).toEqual([1]);
  });

  it('writes no netflow or metadata records unless asked, and refuses malformed captures', async () => {
    const records = await run(rules, frames);
    expect(records.filter((r) => r.event_type === 'netflow' || r.event_type === 'metadata')).toEqual([]);
    const bad = loadRulesText([
      'alert http any any -> any any (pcre:"/(a)/, pkt:x, pkt:y"; sid:1;)',
      'alert http any any -> any any (pcre:"/(a)/, var:x"; sid:2;)',
    ].join('\n'));
    expect(bad.stats.skipReasons).toEqual([{ reason: 'pcre: bad capture', count: 1 }, { reason: 'pcre: unsupported flag ,', count: 1 }]);
  });
});

describe('tls.certs', () => {
  it("matches the server chain's DER certificates, each one a buffer", async () => {
    const SYN = 0x02;
    const ACK = 0x10;
    const PSH = 0x08;
    const c = { src: '192.168.1.10', dst: '203.0.113.9', sport: 45001, dport: 443 };
    const sv = { src: c.dst, dst: c.src, sport: c.dport, dport: c.sport };
    const t = (from: typeof c, flags: number, seq: number, ack: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array =>
      ethernet({ etherType: 0x0800 }, ipv4({ src: from.src, dst: from.dst, proto: 6 }, tcp({ srcPort: from.sport, dstPort: from.dport, seq, ack, flags }, payload)));
    const leaf = certificate({ subject: [['CN', 'c2.bad.example']], issuer: [['O', 'Sliver CA']], serial: [1] });
    const ca = certificate({ subject: [['O', 'Sliver CA']], issuer: [['O', 'Sliver CA']], serial: [2] });
    const list = concat(...[leaf, ca].map((d) => concat(u24(d.length), d)));
    const hello = record(22, handshake(1, clientHelloBody('c2.bad.example')), 0x0301);
    const flight = concat(record(22, handshake(2, serverHelloBody(0x0303))), record(22, handshake(11, concat(u24(list.length), list))), record(22, handshake(14, new Uint8Array(0))));
    const frames = [
      t(c, SYN, 100, 0), t(sv, SYN | ACK, 500, 101), t(c, ACK, 101, 501), t(c, PSH | ACK, 101, 501, hello),
      t(sv, PSH | ACK, 501, 101 + hello.length, flight), t(c, ACK, 101 + hello.length, 501 + flight.length), t(sv, ACK, 501 + flight.length, 101 + hello.length),
    ];
    const rules = [
      'alert tls any any -> any any (flow:established,to_client; tls.certs; content:"Sliver CA"; sid:1;)',
      'alert tls any any -> any any (flow:established,to_client; tls.certs; content:"c2.bad.example"; content:"Sliver CA"; sid:2;)',
      'alert tls any any -> any any (flow:established,to_client; tls.certs; content:"not in any"; sid:3;)',
      'alert tls any any -> any any (flow:established,to_server; tls.certs; content:"Sliver CA"; sid:4;)',
    ].join('\n');
    expect(sids(await run(rules, frames))).toEqual([1, 2]);
  });
});
