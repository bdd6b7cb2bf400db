/**
 * Property test for the whole decode path on 100k mutated frames of every link type: no
 * exception, only known event names, every view stays inside the frame, and the defragmenter's
 * state stays within its limits while fragments keep arriving.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCaptureBytes } from '../capture/captureReader.ts';
import { Defragmenter } from './defrag.ts';
import { PacketDecoder } from './decoder.ts';
import { DecoderEvent } from './events.ts';
import { EtherType, IpProto, LinkType } from './linkTypes.ts';
import { PACKET_MAX_EVENTS } from './packet.ts';
import type { Packet } from './packet.ts';
import { applyMutations, byteMutation } from '../testing/byteMutation.ts';
import {
  arp, concatBytes, ethernet, fragmentIPv4, fragmentIPv6, icmp, ipv4, ipv6, tcp, tcpSynOptions, udp,
} from '../testing/pcapWriter.ts';

const a4 = { src: '192.0.2.1', dst: '198.51.100.7' };
const a6 = { src: '2001:db8::1', dst: 'fe80::2' };
const syn = tcp({ srcPort: 40000, dstPort: 80, flags: 0x02, options: tcpSynOptions({ mss: 1460, wscale: 7, sackPermitted: true, tsVal: 1, tsEcr: 0 }) });
const http = tcp({ srcPort: 40000, dstPort: 80 }, 'GET / HTTP/1.1\r\n\r\n');
const dns = udp({ srcPort: 5353, dstPort: 53 }, new Uint8Array(20));

const ipPackets: Uint8Array[] = [
  ipv4({ ...a4, proto: IpProto.TCP, options: Uint8Array.from([1, 1, 1, 0]) }, syn),
  ipv4({ ...a4, proto: IpProto.TCP }, http),
  ipv4({ ...a4, proto: IpProto.UDP }, dns),
  ipv4({ ...a4, proto: IpProto.ICMP }, icmp(3, 3, concatBytes([new Uint8Array(4), ipv4({ ...a4, proto: 17 }, dns)]))),
  ipv6({ ...a6, nextHeader: IpProto.TCP, extensionHeaders: [{ type: 0 }, { type: 60 }, { type: 51 }] }, syn),
  ipv6({ ...a6, nextHeader: IpProto.UDP, extensionHeaders: [{ type: 43, body: Uint8Array.from([2, 0, 0, 0, 0, 0]) }] }, dns),
  ipv6({ ...a6, nextHeader: IpProto.ICMPV6, hopLimit: 1 }, icmp(143, 0, new Uint8Array(8))),
  ...fragmentIPv4({ ...a4, proto: IpProto.UDP, id: 7 }, udp({ srcPort: 1, dstPort: 2 }, new Uint8Array(60)), 24),
  ...fragmentIPv6({ ...a6, nextHeader: IpProto.TCP }, http, 16, 99),
];

function sll(protocol: number, ip: Uint8Array): Uint8Array {
  return concatBytes([Uint8Array.from([0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, protocol >> 8, protocol & 0xff]), ip]);
}
function sll2(protocol: number, ip: Uint8Array): Uint8Array {
  return concatBytes([Uint8Array.from([protocol >> 8, protocol & 0xff, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0]), ip]);
}
const etherTypeOf = (ip: Uint8Array): number => (ip[0]! >> 4 === 4 ? EtherType.IPV4 : EtherType.IPV6);

const seeds: Array<{ linkType: number; data: Uint8Array }> = [];

for (const ip of ipPackets) {
  const et = etherTypeOf(ip);
  seeds.push(
    { linkType: LinkType.ETHERNET, data: ethernet({ etherType: et }, ip) },
    { linkType: LinkType.ETHERNET, data: ethernet({ etherType: et, vlan: [10, 20], vlanTpid: EtherType.QINQ }, ip) },
    { linkType: LinkType.LINUX_SLL, data: sll(et, ip) },
    { linkType: LinkType.LINUX_SLL2, data: sll2(et, ip) },
    { linkType: LinkType.RAW, data: ip },
    { linkType: LinkType.NULL, data: concatBytes([Uint8Array.from([et === EtherType.IPV4 ? 2 : 30, 0, 0, 0]), ip]) },
  );
}
seeds.push({
  linkType: LinkType.ETHERNET,
  data: ethernet({ etherType: EtherType.ARP }, arp({ op: 2, senderMac: '00:00:5e:00:53:01', senderIp: '192.0.2.1', targetMac: '00:00:5e:00:53:02', targetIp: '192.0.2.2' })),
});
const pppoe = (ip: Uint8Array) =>
  concatBytes([Uint8Array.from([0x11, 0, 0, 1, (ip.length + 2) >> 8, (ip.length + 2) & 0xff, 0, ip[0]! >> 4 === 4 ? 0x21 : 0x57]), ip]);
seeds.push({ linkType: LinkType.ETHERNET, data: ethernet({ etherType: EtherType.PPPOE_SESSION }, pppoe(ipPackets[1]!)) });

/** How many seeds are built here (and so must decode without events); real frames follow. */
const builtSeeds = seeds.length;

// Real frames too, when the shared captures are there: a few per link type and protocol mix.
const DATA = fileURLToPath(new URL('../../../../shared/data/', import.meta.url));
const REAL_FILES = [
  'pcaps/ntop__nDPI/tests/cfgs/default/pcap/emotet.pcap',
  'pcaps/ntop__nDPI/tests/cfgs/default/pcap/bot.pcap',
  'pcaps/ntop__nDPI/tests/cfgs/default/pcap/dns.pcap',
  'pcaps/ntop__nDPI/tests/cfgs/default/pcap/dns_fragmented.pcap',
  'pcaps/ntop__nDPI/tests/cfgs/default/pcap/log4j-webapp-exploit.pcap',
  'pcaps/ntop__nDPI/tests/cfgs/default/pcap/selfsigned.pcap',
  'pcaps/chrissanders__packets/ipv6_fragments.pcapng',
  'suricata-verify/tests/http-ipv6/input.pcap',
  'suricata-verify/tests/tls-alpn-log-detect-02/input.pcap',
];
if (existsSync(DATA)) {
  for (const rel of REAL_FILES) {
    for (const c of readCaptureBytes(readFileSync(join(DATA, rel))).packets.slice(0, 30)) seeds.push({ linkType: c.linkType, data: c.data });
  }
} else {
  console.warn(`\n!!! ${DATA} is absent: the decode fuzz test uses built packets only !!!\n`);
}

const knownEvents = new Set<string>(Object.values(DecoderEvent));

/** Plain checks: vitest's expect costs microseconds per call, too much at 100k runs. */
function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`property violated: ${what}`);
}

function checkPacket(p: Packet): void {
  for (const e of p.events) check(knownEvents.has(e), `unknown event ${e}`);
  const d = p.data;
  const pay = p.payload;
  if (pay.length > 0) {
    check(pay.buffer === d.buffer, 'payload is a view of the frame');
    check(pay.byteOffset >= d.byteOffset && pay.byteOffset + pay.length <= d.byteOffset + d.length, 'payload inside the frame');
  }
  check(typeof p.srcIp === 'string' && typeof p.dstIp === 'string', 'addresses format');
  check(p.vlan.length <= 3, 'vlan layers bounded');
  check(p.events.length <= PACKET_MAX_EVENTS && new Set(p.events).size === p.events.length, 'events bounded and distinct');
  if (p.ipVersion !== 0) check(p.l3Offset >= 0 && p.l3Offset < d.length, 'l3 offset inside the frame');
  check(typeof p.srcMac === 'string' && typeof p.arpSenderIp === 'string', 'link addresses format');
}

describe('decode path under mutation', () => {
  it('never throws and stays bounded (100k frames)', () => {
    const limits = { maxDatagrams: 64, maxBytes: 64 * 1024, maxFragmentsPerDatagram: 16, timeoutSec: 30 };
    const defrag = new Defragmenter(limits);
    const decoder = new PacketDecoder(defrag);
    let reassembled = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: seeds.length - 1 }),
        fc.array(byteMutation, { minLength: 0, maxLength: 3 }),
        fc.integer({ min: 0, max: 200 }),
        (seed, mutations, ts) => {
          const s = seeds[seed]!;
          const data = applyMutations(s.data, mutations);
          const p = decoder.decode({ data, linkType: s.linkType, tsSec: ts, tsNsec: 0, origLen: data.length, interfaceId: 0 });
          checkPacket(p);
          if (p.reassembled !== null) {
            reassembled++;
            checkPacket(p.reassembled);
            check(p.reassembled.data.length <= 65_535 + 40 + 2048, 'reassembled size bounded');
          }
          check(defrag.datagramsTracked <= limits.maxDatagrams, 'datagrams bounded');
          check(defrag.bytesTracked <= limits.maxBytes + 65_535, 'bytes bounded');
        },
      ),
      { numRuns: 100_000 },
    );
    // The seeds include whole fragment trains, so some datagrams must complete.
    expect(reassembled).toBeGreaterThan(0);
  }, 60_000);

  it('decodes every seed cleanly before mutation', () => {
    for (const s of seeds.slice(0, builtSeeds)) {
      const p = new PacketDecoder().decode({ data: s.data, linkType: s.linkType, tsSec: 0, tsNsec: 0, origLen: s.data.length, interfaceId: 0 });
      expect(p.events, `link ${s.linkType}`).toEqual([]);
      expect(p.ipVersion === 4 || p.ipVersion === 6 || p.arpOp === 2).toBe(true);
    }
  });
});
