import { describe, it, expect } from 'vitest';
import { PacketDecoder } from './decoder.ts';
import { EtherType, IpProto, LinkType } from './linkTypes.ts';
import { capturedPacket, ethernet, icmp, ipv4, ipv6, tcp, udp } from '../testing/pcapWriter.ts';
import type { IPv6ExtensionHeader } from '../testing/pcapWriter.ts';

const decode = (data: Uint8Array) => new PacketDecoder(null).decode(capturedPacket(data, LinkType.RAW));
const base = { src: '2001:db8::1', dst: 'ff02::1:ff00:2' };
const withExt = (ext: IPv6ExtensionHeader[], payload = udp({ srcPort: 546, dstPort: 547 }, 'x')) =>
  decode(ipv6({ ...base, nextHeader: IpProto.UDP, extensionHeaders: ext }, payload));

describe('IPv6', () => {
  it('decodes the fixed header', () => {
    const p = decode(ipv6(
      { src: '2001:0db8:0:0:0:0:0:1', dst: 'fe80::1', nextHeader: IpProto.TCP, hopLimit: 255, trafficClass: 0xb8, flowLabel: 0xabcde },
      tcp({ srcPort: 1, dstPort: 22 }),
    ));
    expect([p.ipVersion, p.srcIp, p.dstIp, p.ttl, p.tos, p.ipv6FlowLabel, p.proto, p.ipHeaderLength, p.ipTotalLength, p.dstPort]).toEqual([
      6, '2001:db8::1', 'fe80::1', 255, 0xb8, 0xabcde, 6, 40, 60, 22,
    ]);
    expect(p.srcAddrBytes.length).toBe(16);
    expect(p.events).toEqual([]);
  });

  it('skips hop-by-hop, routing, destination options and AH to reach the transport', () => {
    const p = withExt([{ type: 0 }, { type: 60 }, { type: 43, body: Uint8Array.from([2, 0, 0, 0, 0, 0]) }, { type: 51 }]);
    expect([p.proto, p.ipHeaderLength, p.srcPort, p.dstPort]).toEqual([17, 40 + 8 + 24 + 8 + 12, 546, 547]);
    expect(p.events).toEqual([]);
  });

  it('raises duplicate, routing type 0 and AH reserved events', () => {
    expect(withExt([{ type: 0 }, { type: 0 }]).events).toEqual(['decoder.ipv6.exthdr_dupl_hh']);
    expect(withExt([{ type: 60 }, { type: 60 }]).events).toEqual(['decoder.ipv6.exthdr_dupl_dh']);
    expect(withExt([{ type: 43, body: Uint8Array.from([2, 0, 0, 0, 0, 0]) }, { type: 43, body: Uint8Array.from([2, 0, 0, 0, 0, 0]) }]).events)
      .toEqual(['decoder.ipv6.exthdr_dupl_rh']);
    expect(withExt([{ type: 43 }]).events).toEqual(['decoder.ipv6.rh_type_0']);
    expect(withExt([{ type: 51 }, { type: 51 }]).events).toEqual(['decoder.ipv6.exthdr_dupl_ah']);
    expect(withExt([{ type: 51, body: Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0, 0, 0]) }]).events).toEqual(['decoder.ipv6.exthdr_ah_res_not_null']);
  });

  it.each([
    [0, [1, 4, 0, 0, 0, 0], 'decoder.ipv6.hopopts_only_padding'],
    [60, [0, 0, 0, 0, 0, 0], 'decoder.ipv6.dstopts_only_padding'],
    [0, [0x3e, 4, 0, 0, 0, 0], 'decoder.ipv6.hopopts_unknown_opt'],
    [60, [0x3e, 4, 0, 0, 0, 0], 'decoder.ipv6.dstopts_unknown_opt'],
    [0, [0x05, 9, 0, 0, 0, 0], 'decoder.ipv6.exthdr_invalid_optlen'],
  ])('checks options of header %i: %j raises %s', (type, body, event) => {
    expect(withExt([{ type, body: Uint8Array.from(body) }]).events).toEqual([event]);
  });

  it('raises zero_len_padn next to a real option', () => {
    expect(withExt([{ type: 0, body: Uint8Array.from([0x05, 2, 0, 0, 1, 0]) }]).events).toEqual(['decoder.ipv6.zero_len_padn']);
  });

  it('reports each anomaly once however often it repeats', () => {
    const padns = new Array<number>(2 * 100).fill(0).map((_, i) => (i % 2 === 0 ? 1 : 0));
    const p = withExt([{ type: 0, body: Uint8Array.from([0x05, 2, 0, 0, ...padns]) }, { type: 60 }, { type: 60 }, { type: 60 }]);
    expect(p.events).toEqual(['decoder.ipv6.zero_len_padn', 'decoder.ipv6.exthdr_dupl_dh']);
  });

  it('treats an atomic fragment as useless and keeps decoding', () => {
    const p = withExt([{ type: 44, body: Uint8Array.from([0, 0, 0, 0, 0, 0, 42]) }]);
    expect(p.events).toEqual(['decoder.ipv6.exthdr_useless_fh']);
    expect([p.isFragment, p.ipId, p.dstPort]).toEqual([false, 42, 547]);
  });

  it('marks a real fragment and records where its headers are', () => {
    const p = withExt([{ type: 0 }, { type: 44, body: Uint8Array.from([0, 0x05, 0xa9, 0, 0, 1, 0]) }], new Uint8Array(16));
    expect([p.isFragment, p.fragmentOffset, p.moreFragments, p.ipId, p.proto, p.ipv6FragHeaderOffset, p.ipv6FragNextHeaderFieldOffset])
      .toEqual([true, 1448, true, 256, 17, 48, 40]);
    expect(p.payload.length).toBe(16);
    expect(withExt([{ type: 44, body: Uint8Array.from([1, 0, 9, 0, 0, 0, 1]) }], new Uint8Array(8)).events).toEqual([
      'decoder.ipv6.fh_non_zero_reserved_field',
    ]);
  });

  it('raises packet and extension header length events', () => {
    const good = ipv6({ ...base, nextHeader: IpProto.UDP }, udp({ srcPort: 1, dstPort: 2 }));
    expect(decode(good.subarray(0, 39)).events).toEqual(['decoder.ipv6.pkt_too_small']);
    expect(decode(good.subarray(0, 47)).events).toEqual(['decoder.ipv6.trunc_pkt']);
    const bad = ipv6({ ...base, nextHeader: IpProto.UDP, extensionHeaders: [{ type: 0 }] }, new Uint8Array(0));
    bad[41] = 5;
    expect(decode(bad).events).toEqual(['decoder.ipv6.trunc_exthdr']);
    const wrong = good.slice();
    wrong[0] = 0x40;
    expect(new PacketDecoder(null).decode(capturedPacket(ethernet({ etherType: EtherType.IPV6 }, wrong))).events).toEqual([
      'decoder.ipv6.wrong_ip_version',
    ]);
  });

  it('raises data_after_none_header and icmpv4', () => {
    expect(decode(ipv6({ ...base, nextHeader: IpProto.NONE }, Uint8Array.from([1]))).events).toEqual(['decoder.ipv6.data_after_none_header']);
    expect(decode(ipv6({ ...base, nextHeader: IpProto.NONE })).events).toEqual([]);
    expect(decode(ipv6({ ...base, nextHeader: IpProto.ICMP }, icmp(8, 0, new Uint8Array(4)))).events).toEqual(['decoder.ipv6.icmpv4']);
  });

  it('follows at most IPV6_MAX_EXT_HEADERS headers', () => {
    const p = withExt(new Array<IPv6ExtensionHeader>(20).fill({ type: 60 }));
    expect(p.proto).toBe(60);
    expect(p.srcPort).toBe(0);
  });

  it('does not confuse an IPv4 packet with an IPv6 one', () => {
    expect(decode(ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 17 }, udp({ srcPort: 1, dstPort: 2 }))).ipVersion).toBe(4);
  });
});

describe('ICMPv6', () => {
  const msg = (type: number, code: number, hopLimit = 64) =>
    decode(ipv6({ ...base, nextHeader: IpProto.ICMPV6, hopLimit }, icmp(type, code, new Uint8Array(4))));

  it('decodes type and code', () => {
    const p = msg(135, 0, 255);
    expect([p.proto, p.icmpType, p.icmpCode, p.payload.length, p.events]).toEqual([58, 135, 0, 4, []]);
  });

  it.each([
    [1, 8, 64, 'decoder.icmpv6.unknown_code'],
    [128, 1, 64, 'decoder.icmpv6.unknown_code'],
    [0, 0, 64, 'decoder.icmpv6.unknown_type'],
    [50, 0, 64, 'decoder.icmpv6.unassigned_type'],
    [200, 0, 64, 'decoder.icmpv6.experimentation_type'],
    [130, 0, 64, 'decoder.icmpv6.mld_message_with_invalid_hl'],
  ])('type %i code %i hop limit %i raises %s', (type, code, hl, event) => {
    expect(msg(type, code, hl).events).toEqual([event]);
  });

  it('accepts MLD with hop limit 1 and raises pkt_too_small on a cut header', () => {
    expect(msg(143, 0, 1).events).toEqual([]);
    expect(decode(ipv6({ ...base, nextHeader: IpProto.ICMPV6 }, Uint8Array.from([128, 0, 0]))).events).toEqual([
      'decoder.icmpv6.pkt_too_small',
    ]);
  });
});
