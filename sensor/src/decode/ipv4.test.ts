import { describe, it, expect } from 'vitest';
import { PacketDecoder } from './decoder.ts';
import { EtherType, IpProto, LinkType } from './linkTypes.ts';
import { capturedPacket, ethernet, icmp, ipv4, tcp, udp } from '../testing/pcapWriter.ts';

const decode = (data: Uint8Array) => new PacketDecoder(null).decode(capturedPacket(data, LinkType.RAW));

describe('IPv4', () => {
  it('decodes header fields, skipping options', () => {
    const options = Uint8Array.from([0x94, 0x04, 0, 0]); // router alert
    const p = decode(ipv4(
      { src: '192.0.2.1', dst: '203.0.113.9', proto: IpProto.UDP, ttl: 17, id: 0xbeef, tos: 0x28, dontFragment: true, options },
      udp({ srcPort: 1234, dstPort: 53 }, 'abc'),
    ));
    expect({
      v: p.ipVersion, src: p.srcIp, dst: p.dstIp, ttl: p.ttl, id: p.ipId, tos: p.tos, df: p.dontFragment, mf: p.moreFragments,
      hl: p.ipHeaderLength, len: p.ipTotalLength, proto: p.proto, l4: p.l4Offset, frag: p.isFragment,
    }).toEqual({ v: 4, src: '192.0.2.1', dst: '203.0.113.9', ttl: 17, id: 0xbeef, tos: 0x28, df: true, mf: false, hl: 24, len: 35, proto: 17, l4: 24, frag: false });
    expect(new TextDecoder().decode(p.payload)).toBe('abc');
    expect(Array.from(p.srcAddrBytes)).toEqual([192, 0, 2, 1]);
    expect(p.events).toEqual([]);
  });

  it('keeps other protocols as raw payload', () => {
    const p = decode(ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 47 }, Uint8Array.from([1, 2, 3])));
    expect([p.proto, Array.from(p.payload)]).toEqual([47, [1, 2, 3]]);
  });

  it('marks fragments and decodes no transport header', () => {
    const p = decode(ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: IpProto.TCP, moreFragments: true, id: 9 }, new Uint8Array(16)));
    expect([p.isFragment, p.moreFragments, p.fragmentOffset, p.srcPort, p.payload.length]).toEqual([true, true, 0, 0, 16]);
    const q = decode(ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: IpProto.TCP, fragmentOffset: 1480 }, new Uint8Array(8)));
    expect([q.isFragment, q.moreFragments, q.fragmentOffset]).toEqual([true, false, 1480]);
  });

  const valid = ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: IpProto.UDP }, udp({ srcPort: 1, dstPort: 2 }, 'hello'));
  const mutate = (f: (b: Uint8Array) => void): Uint8Array => {
    const b = valid.slice();
    f(b);
    return b;
  };

  it.each([
    ['decoder.ipv4.pkt_too_small', valid.subarray(0, 19)],
    ['decoder.ipv4.hlen_too_small', mutate((b) => (b[0] = 0x44))],
    ['decoder.ipv4.iplen_smaller_than_hlen', mutate((b) => ((b[2] = 0), (b[3] = 19)))],
    ['decoder.ipv4.trunc_pkt', valid.subarray(0, valid.length - 1)],
    ['decoder.ipv4.icmpv6', ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: IpProto.ICMPV6 }, icmp(128, 0))],
  ])('raises %s', (event, bytes) => {
    expect(decode(bytes).events).toEqual([event]);
  });

  it('raises wrong_ip_version when the EtherType says IPv4 but the header does not', () => {
    const frame = ethernet({ etherType: EtherType.IPV4 }, mutate((b) => (b[0] = 0x55)));
    expect(new PacketDecoder(null).decode(capturedPacket(frame)).events).toEqual(['decoder.ipv4.wrong_ip_version']);
  });

  it('raises iplen_smaller_than_hlen when the header claims more than the total length when the header claims more than the packet', () => {
    const b = mutate((x) => (x[0] = 0x4f));
    expect(decode(b).events).toEqual(['decoder.ipv4.iplen_smaller_than_hlen']);
  });
});

describe('TCP', () => {
  const seg = (opts: Parameters<typeof tcp>[0], payload?: string) =>
    decode(ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: IpProto.TCP }, tcp(opts, payload)));

  it('decodes ports, seq/ack, flags, window, urgent pointer and payload', () => {
    const p = seg({ srcPort: 40000, dstPort: 443, seq: 0xfffffffe, ack: 7, flags: 0x18, window: 1024, urgentPointer: 3 }, 'GET');
    expect([p.srcPort, p.dstPort, p.tcpSeq, p.tcpAck, p.tcpFlags, p.tcpWindow, p.tcpUrgentPointer, p.tcpHeaderLength]).toEqual([
      40000, 443, 0xfffffffe, 7, 0x18, 1024, 3, 20,
    ]);
    expect(new TextDecoder().decode(p.payload)).toBe('GET');
    expect([p.tcpMss, p.tcpWindowScale, p.tcpSackPermitted, p.tcpTsVal, p.tcpTsEcr]).toEqual([-1, -1, false, -1, -1]);
  });

  it('decodes MSS, window scale, SACK-permitted, SACK blocks and timestamps', () => {
    const options = Uint8Array.from([
      2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 1, 3, 3, 7,
      1, 1, 5, 18, ...new Array<number>(16).fill(0),
    ]);
    const p = seg({ srcPort: 1, dstPort: 2, flags: 0x02, options });
    expect([p.tcpMss, p.tcpSackPermitted, p.tcpTsVal, p.tcpTsEcr, p.tcpWindowScale, p.tcpSackBlocks, p.tcpHeaderLength]).toEqual([
      1460, true, 1, 0xffffffff, 7, 2, 60,
    ]);
    expect(p.events).toEqual([]);
  });

  it('raises option events', () => {
    expect(seg({ srcPort: 1, dstPort: 2, options: Uint8Array.from([2, 3, 0, 0]) }).events).toEqual(['decoder.tcp.opt_invalid_len']);
    expect(seg({ srcPort: 1, dstPort: 2, options: Uint8Array.from([2, 4, 0, 1, 2, 4, 0, 2]) }).events).toEqual(['decoder.tcp.opt_duplicate']);
    expect(seg({ srcPort: 1, dstPort: 2, options: Uint8Array.from([1, 1, 3, 9]) }).events).toEqual(['decoder.tcp.invalid_optlen']);
    expect(seg({ srcPort: 1, dstPort: 2, options: Uint8Array.from([1, 1, 1, 3]) }).events).toEqual(['decoder.tcp.invalid_optlen']);
  });

  it('raises header events', () => {
    const short = ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: IpProto.TCP }, new Uint8Array(19));
    expect(decode(short).events).toEqual(['decoder.tcp.pkt_too_small']);
    const hdr = tcp({ srcPort: 1, dstPort: 2 });
    hdr[12] = 0x40;
    expect(decode(ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: IpProto.TCP }, hdr)).events).toEqual(['decoder.tcp.hlen_too_small']);
    hdr[12] = 0xf0;
    expect(decode(ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: IpProto.TCP }, hdr)).events).toEqual(['decoder.tcp.pkt_too_small']);
  });
});

describe('UDP', () => {
  const dgram = (body: Uint8Array) => decode(ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: IpProto.UDP }, body));

  it('decodes ports, length and payload cut at the UDP length', () => {
    const u = udp({ srcPort: 68, dstPort: 67 }, 'dhcp');
    const padded = new Uint8Array(u.length + 3);
    padded.set(u);
    const p = dgram(padded);
    expect([p.srcPort, p.dstPort, p.udpLength, new TextDecoder().decode(p.payload)]).toEqual([68, 67, 12, 'dhcp']);
  });

  it('raises hlen_too_small, pkt_too_small and hlen_invalid', () => {
    expect(dgram(new Uint8Array(7)).events).toEqual(['decoder.udp.hlen_too_small']);
    const long = udp({ srcPort: 1, dstPort: 2 }, 'ab');
    long[5] = 40;
    expect(dgram(long).events).toEqual(['decoder.udp.pkt_too_small']);
    const tiny = udp({ srcPort: 1, dstPort: 2 }, 'ab');
    tiny[5] = 4;
    expect(dgram(tiny).events).toEqual(['decoder.udp.hlen_invalid']);
  });
});

describe('ICMPv4', () => {
  const msg = (type: number, code: number, rest?: Uint8Array) =>
    decode(ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: IpProto.ICMP }, icmp(type, code, rest ?? new Uint8Array(4))));

  it('decodes type and code', () => {
    const p = msg(8, 0, Uint8Array.from([0, 1, 0, 2, 0x61]));
    expect([p.icmpType, p.icmpCode, p.payload.length, p.events]).toEqual([8, 0, 1, []]);
  });

  it('checks the quoted IPv4 header of error messages', () => {
    const quoted = ipv4({ src: '10.0.0.2', dst: '10.0.0.1', proto: IpProto.UDP }, udp({ srcPort: 1, dstPort: 2 }));
    const rest = new Uint8Array(4 + quoted.length);
    rest.set(quoted, 4);
    expect(msg(3, 3, rest).events).toEqual([]);
    expect(msg(3, 3, new Uint8Array(10)).events).toEqual(['decoder.icmpv4.ipv4_trunc_pkt']);
    expect(msg(11, 0, new Uint8Array(24)).events).toEqual(['decoder.icmpv4.ipv4_unknown_ver']);
  });

  it('raises unknown_type, unknown_code and pkt_too_small', () => {
    expect(msg(99, 0).events).toEqual(['decoder.icmpv4.unknown_type']);
    expect(msg(0, 1).events).toEqual(['decoder.icmpv4.unknown_code']);
    expect(decode(ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: IpProto.ICMP }, new Uint8Array(7))).events).toEqual([
      'decoder.icmpv4.pkt_too_small',
    ]);
  });
});
