/**
 * The rule engine in the pipeline, on captures built for the purpose: what each kind of rule
 * matches, the alert records it makes (schema-valid, with the three Otasuke metadata keys),
 * flowbits, thresholds and suppressions, IP-only rules, and a hostile rule.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { EveRecord } from '../../eve/eveEvent.ts';
import { DEFAULT_EVE_SCHEMA_PATH, validateEveRecord } from '../../eve/eveSchema.ts';
import { runCapture } from '../../pipeline/runCapture.ts';
import { ethernet, ipv4, tcp, udp, writePcap } from '../../testing/pcapWriter.ts';
import { ascii, clientHelloBody, concat, handshake, record, serverHelloBody } from '../../app-layer/tls/tlsFixtures.ts';
import { HomeNet } from '../homeNet.ts';
import { loadRulesText } from './index.ts';

const ATTACKER = '198.51.100.7';
const SERVER = '192.168.1.20';
const CLIENT = '192.168.1.10';
const RESOLVER = '192.168.1.1';
const T0 = 1_700_000_000;
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

/** Handshake, client data, server data (each acknowledged), close: 10 packets. */
function conversation(c: Tcp4, toServer: string, toClient: string): Uint8Array[] {
  const s = reverse(c);
  const a = Buffer.byteLength(toServer, 'latin1');
  const b = Buffer.byteLength(toClient, 'latin1');
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
const dnsQuery = (name: string): Uint8Array => Uint8Array.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, ...dnsName(name), 0, 1, 0, 1]);

const sqliRequest = 'GET /app/item.php?id=1%27%20UNION%20SELECT%20password%20FROM%20users HTTP/1.1\r\nHost: shop.example.jp\r\nUser-Agent: sqlmap/1.7\r\n\r\n';
const okResponse = 'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\nhello';

type Alert = Record<string, unknown> & { alert: { signature_id: number; severity: number; category: string; metadata: Record<string, string[]> } };

async function run(rules: string, frames: readonly Uint8Array[], options: { thresholdConfig?: string; homeNet?: string } = {}): Promise<{ alerts: Alert[]; records: EveRecord[] }> {
  const load = loadRulesText(rules, 'test.rules', options.thresholdConfig === undefined ? {} : { thresholdConfig: options.thresholdConfig });
  expect(load.stats.errors).toEqual([]);
  const bytes = writePcap(frames.map((data, i) => ({ data, tsSec: T0 + i, tsNsec: 0 })));
  const records: EveRecord[] = [];
  await runCapture([bytes], (r) => records.push(r), { detection: { stages: [load.engine], homeNet: HomeNet.parse(options.homeNet ?? '[192.168.0.0/16]') } });
  if (existsSync(DEFAULT_EVE_SCHEMA_PATH)) {
    for (const r of records) {
      const v = validateEveRecord(r);
      expect(v.ok ? [] : v.errors, r.event_type).toEqual([]);
    }
  }
  return { alerts: records.filter((r) => r.event_type === 'alert') as unknown as Alert[], records };
}

const sids = (alerts: readonly Alert[]): number[] => alerts.map((a) => a.alert.signature_id);

describe('RuleEngine in the pipeline', () => {
  it('raises an inbound HTTP alert with Suricata fields, severity from the classtype and the Otasuke metadata', async () => {
    const rules = [
      'alert http $EXTERNAL_NET any -> $HOME_NET any (msg:"SQLi UNION SELECT"; flow:established,to_server; http.uri; content:"UNION"; nocase; content:"SELECT"; nocase; distance:0; classtype:web-application-attack; metadata:attack_target Web_Server, tag SQL_Injection; sid:1000001; rev:3;)',
      'alert http any any -> any any (msg:"sqlmap UA"; http.user_agent; content:"sqlmap"; startswith; sid:1000002;)',
      'alert http any any -> any any (msg:"not this one"; http.uri; content:"DROP TABLE"; sid:1000003;)',
      'alert http any any -> any any (msg:"200 answer"; flow:to_client; http.stat_code; content:"200"; sid:1000004;)',
    ].join('\n');
    const { alerts, records } = await run(rules, conversation({ src: ATTACKER, dst: SERVER, sport: 40000, dport: 80 }, sqliRequest, okResponse));
    expect(sids(alerts)).toEqual([1000001, 1000002, 1000004]);
    const a = alerts[0]!;
    // The request is inspected on the client's next packet after the server acknowledged it (7).
    expect({ pcap_cnt: a.pcap_cnt, src_ip: a.src_ip, dest_ip: a.dest_ip, dest_port: a.dest_port, tx_id: a.tx_id, direction: a.direction, app_proto: a.app_proto }).toEqual({
      pcap_cnt: 7, src_ip: ATTACKER, dest_ip: SERVER, dest_port: 80, tx_id: 0, direction: 'to_server', app_proto: 'http',
    });
    expect(a.alert).toEqual({
      action: 'allowed', gid: 1, signature_id: 1000001, rev: 3, signature: 'SQLi UNION SELECT', category: 'Web Application Attack', severity: 1,
      metadata: { attack_target: ['Web_Server'], tag: ['SQL_Injection'], otasuke_direction: ['inbound'], otasuke_engine: ['rule'], otasuke_explain: ['rule.web-application-attack'] },
    });
    expect((a.http as Record<string, unknown>).url).toBe('/app/item.php?id=1%27%20UNION%20SELECT%20password%20FROM%20users');
    expect(a.flow).toMatchObject({ src_ip: ATTACKER, dest_ip: SERVER, src_port: 40000, dest_port: 80 });
    expect(alerts[1]!.alert.metadata.otasuke_explain).toEqual(['rule.unknown']);
    expect(alerts[1]!.alert.severity).toBe(3);
    // The response-side alert is oriented server → client: outbound from HOME_NET.
    expect([alerts[2]!.src_ip, alerts[2]!.direction, alerts[2]!.alert.metadata.otasuke_direction]).toEqual([SERVER, 'to_client', ['outbound']]);
    const flow = records.find((r) => r.event_type === 'flow') as unknown as { flow: { alerted: boolean } };
    expect(flow.flow.alerted).toBe(true);
  });

  it('matches payload content with offset, depth, distance, within, negation, pcre and byte_test', async () => {
    const payload = 'HDR\x00\x05hello world';
    const rules = [
      'alert tcp any any -> any any (content:"HDR"; depth:3; content:"hello"; distance:2; within:5; sid:1;)',
      'alert tcp any any -> any any (content:"HDR"; offset:1; sid:2;)',
      'alert tcp any any -> any any (content:"hello"; content:!"bye"; pcre:"/^\\s+w/R"; sid:3;)',
      'alert tcp any any -> any any (content:"HDR"; byte_test:2,=,5,0,relative; sid:4;)',
      'alert tcp any any -> any any (content:"world"; endswith; dsize:16; sid:5;)',
      'alert tcp any any -> any any (content:"HELLO"; sid:6;)',
      'alert tcp any any -> any any (content:"HELLO"; nocase; flow:to_client; sid:7;)',
    ].join('\n');
    const { alerts } = await run(rules, conversation({ src: CLIENT, dst: SERVER, sport: 5555, dport: 9999 }, payload, 'ok'));
    expect(sids(alerts)).toEqual([1, 3, 4, 5]);
    expect(alerts.every((a) => a.pcap_cnt === 4)).toBe(true);
    expect(alerts[0]!.alert.metadata.otasuke_direction).toEqual(['internal']);
  });

  it('sets and checks flowbits across packets, setters before checkers', async () => {
    const rules = [
      'alert tcp any any -> any any (msg:"login seen"; content:"USER admin"; flowbits:set,logged_in; flowbits:noalert; sid:10;)',
      'alert tcp any any -> any any (msg:"after login"; flow:to_client; content:"ok"; flowbits:isset,logged_in; sid:11;)',
      'alert tcp any any -> any any (msg:"never"; content:"ok"; flowbits:isnotset,logged_in; sid:12;)',
    ].join('\n');
    const { alerts } = await run(rules, conversation({ src: CLIENT, dst: SERVER, sport: 5555, dport: 21 }, 'USER admin\r\n', 'ok'));
    expect(sids(alerts)).toEqual([11]);
  });

  it('applies threshold limit, detection_filter and threshold.config suppress', async () => {
    const frames = [0, 1, 2, 3, 4].map((i) => frame(ipv4({ src: ATTACKER, dst: SERVER, proto: 17 }, udp({ srcPort: 4000 + i, dstPort: 161 }, 'public'))));
    const rules = [
      'alert udp any any -> any 161 (msg:"snmp public"; content:"public"; threshold:type limit, track by_src, count 2, seconds 60; sid:20;)',
      'alert udp any any -> any 161 (msg:"snmp burst"; content:"public"; detection_filter:track by_src, count 3, seconds 60; sid:21;)',
      'alert udp any any -> any 161 (msg:"suppressed"; content:"public"; sid:22;)',
      'alert udp any any -> any 161 (msg:"suppressed for that source"; content:"pub"; sid:23;)',
    ].join('\n');
    const { alerts } = await run(rules, frames, { thresholdConfig: 'suppress gen_id 1, sig_id 22\nsuppress gen_id 1, sig_id 23, track by_src, ip 198.51.100.0/24\n' });
    expect(alerts.map((a) => `${a.alert.signature_id}@${String(a.pcap_cnt)}`)).toEqual(['20@1', '20@2', '21@4', '21@5']);
  });

  it('checks IP-only rules through the address index, once per flow direction', async () => {
    const frames = [
      frame(ipv4({ src: CLIENT, dst: '203.0.113.5', proto: 17 }, udp({ srcPort: 5000, dstPort: 53 }, 'a'))),
      frame(ipv4({ src: CLIENT, dst: '203.0.113.5', proto: 17 }, udp({ srcPort: 5000, dstPort: 53 }, 'b'))),
      frame(ipv4({ src: '203.0.113.5', dst: CLIENT, proto: 17 }, udp({ srcPort: 53, dstPort: 5000 }, 'c'))),
      frame(ipv4({ src: CLIENT, dst: '203.0.113.99', proto: 17 }, udp({ srcPort: 5001, dstPort: 53 }, 'd'))),
    ];
    const rules = [
      'alert ip $HOME_NET any -> [203.0.113.0/28,192.0.2.1] any (msg:"to a listed C2"; classtype:trojan-activity; sid:30;)',
      'alert ip [203.0.113.5] any -> $HOME_NET any (msg:"from a listed C2"; sid:31;)',
    ].join('\n');
    const { alerts } = await run(rules, frames);
    expect(alerts.map((a) => `${a.alert.signature_id}@${String(a.pcap_cnt)}:${a.alert.metadata.otasuke_direction![0]!}`)).toEqual(['30@1:outbound', '31@3:inbound']);
  });

  it('inspects DNS query names with dotprefix and endswith', async () => {
    const frames = [
      frame(ipv4({ src: CLIENT, dst: RESOLVER, proto: 17 }, udp({ srcPort: 40000, dstPort: 53 }, dnsQuery('update.evil-c2.example')))),
      frame(ipv4({ src: CLIENT, dst: RESOLVER, proto: 17 }, udp({ srcPort: 40001, dstPort: 53 }, dnsQuery('notevil-c2.example')))),
    ];
    const rules = 'alert dns $HOME_NET any -> any any (msg:"C2 domain"; dns.query; dotprefix; content:".evil-c2.example"; nocase; endswith; classtype:domain-c2; sid:40;)';
    const { alerts } = await run(rules, frames);
    expect(alerts.map((a) => [a.alert.signature_id, a.pcap_cnt, (a.dns as { queries: { rrname: string }[] }).queries[0]!.rrname])).toEqual([[40, 1, 'update.evil-c2.example']]);
    expect(alerts[0]!.alert.severity).toBe(1);
  });

  it('refuses a catastrophic pcre at load and keeps bounded ones bounded on a long payload', async () => {
    const load = loadRulesText('alert tcp any any -> any any (pcre:"/(a+)+$/"; sid:50;)\nalert tcp any any -> any any (content:"aaaa"; pcre:"/a+b/"; sid:51;)');
    expect(load.stats.skipReasons).toEqual([{ reason: 'pcre: nested unbounded quantifiers', count: 1 }]);
    const long = 'a'.repeat(60_000);
    const frames = [frame(ipv4({ src: CLIENT, dst: SERVER, proto: 17 }, udp({ srcPort: 1, dstPort: 2 }, long)))];
    const { alerts } = await run('alert udp any any -> any any (content:"aaaa"; pcre:"/a+b/"; sid:51;)', frames);
    expect(alerts).toEqual([]);
  });

  it('stops inspecting payload content once a TLS handshake is logged (the rest is encrypted), as Suricata does by default', async () => {
    const c: Tcp4 = { src: CLIENT, dst: ATTACKER, sport: 50000, dport: 443 };
    const s = reverse(c);
    const hello = record(22, handshake(1, clientHelloBody('www.example.com')), 0x0301);
    const serverHello = record(22, handshake(2, serverHelloBody(0x0304)));
    const appData = record(23, concat(ascii('EVILPATTERN'), new Uint8Array(40).fill(7)));
    const a = hello.length;
    const b = serverHello.length;
    const frames = [
      tcpFrame(c, SYN, 100, 0),
      tcpFrame(s, SYN | ACK, 500, 101),
      tcpFrame(c, ACK, 101, 501),
      tcpFrame(c, PSH | ACK, 101, 501, concat(hello)),
      tcpFrame(s, PSH | ACK, 501, 101 + a, concat(serverHello)),
      tcpFrame(c, PSH | ACK, 101 + a, 501 + b, concat(appData)),
      tcpFrame(s, PSH | ACK, 501 + b, 101 + a + appData.length, concat(appData)),
      tcpFrame(c, ACK, 101 + a + appData.length, 501 + b + appData.length),
    ];
    const rules = [
      'alert tcp any any -> any 443 (msg:"client hello"; flow:established,to_server; content:"www.example.com"; sid:1;)',
      'alert tcp any any -> any any (msg:"in encrypted data"; content:"EVILPATTERN"; sid:2;)',
      'alert tcp any any -> any any (msg:"header only"; flow:established,to_server; flags:PA; dsize:>50; sid:3;)',
    ].join('\n');
    const { alerts } = await run(rules, frames, { homeNet: '[192.168.0.0/16]' });
    // The header-only rule still sees the encrypted packets (and the ClientHello).
    expect(sids(alerts)).toEqual([1, 3, 3]);
  });
});
