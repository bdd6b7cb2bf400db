import { describe, it, expect } from 'vitest';
import { PacketDecoder } from './decoder.ts';
import { IpProto, LinkType } from './linkTypes.ts';
import { capturedPacket, concatBytes, ipv4, ipv6, udp } from '../testing/pcapWriter.ts';

const decode = (data: Uint8Array, linkType: number) => new PacketDecoder().decode(capturedPacket(data, linkType));
const v4 = ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: IpProto.UDP }, udp({ srcPort: 5353, dstPort: 53 }));
const v6 = ipv6({ src: '2001:db8::1', dst: '2001:db8::2', nextHeader: IpProto.UDP }, udp({ srcPort: 5353, dstPort: 53 }));

function sll(protocol: number): Uint8Array {
  return Uint8Array.from([0, 0, 0, 1, 0, 6, 0, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 0, protocol >> 8, protocol & 0xff]);
}
function sll2(protocol: number): Uint8Array {
  return Uint8Array.from([protocol >> 8, protocol & 0xff, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0, 0]);
}

describe('Linux cooked captures', () => {
  it('decodes SLL (113) and SLL2 (276)', () => {
    const a = decode(concatBytes([sll(0x0800), v4]), LinkType.LINUX_SLL);
    expect([a.l3Offset, a.srcIp, a.dstPort]).toEqual([16, '10.0.0.1', 53]);
    const b = decode(concatBytes([sll2(0x86dd), v6]), LinkType.LINUX_SLL2);
    expect([b.l3Offset, b.srcIp, b.dstPort]).toEqual([20, '2001:db8::1', 53]);
  });

  it('raises pkt_too_small on short headers', () => {
    expect(decode(new Uint8Array(15), LinkType.LINUX_SLL).events).toEqual(['decoder.sll.pkt_too_small']);
    expect(decode(new Uint8Array(19), LinkType.LINUX_SLL2).events).toEqual(['decoder.sll2.pkt_too_small']);
  });
});

describe('raw IP', () => {
  for (const lt of [LinkType.RAW, LinkType.RAW_DLT12, LinkType.RAW_DLT14]) {
    it(`picks IPv4 or IPv6 by version nibble (link type ${lt})`, () => {
      expect(decode(v4, lt).srcIp).toBe('10.0.0.1');
      expect(decode(v6, lt).srcIp).toBe('2001:db8::1');
    });
  }
  it('raises invalid_ip_version otherwise', () => {
    expect(decode(Uint8Array.from([0x50, 0]), LinkType.RAW).events).toEqual(['decoder.ipraw.invalid_ip_version']);
    expect(decode(new Uint8Array(0), LinkType.RAW).events).toEqual(['decoder.ipraw.invalid_ip_version']);
  });
});

describe('BSD loopback', () => {
  it('reads the family in either byte order for NULL (0) and LOOP (108)', () => {
    for (const lt of [LinkType.NULL, LinkType.LOOP]) {
      expect(decode(concatBytes([Uint8Array.from([2, 0, 0, 0]), v4]), lt).srcIp).toBe('10.0.0.1');
      expect(decode(concatBytes([Uint8Array.from([0, 0, 0, 2]), v4]), lt).srcIp).toBe('10.0.0.1');
      for (const af of [10, 24, 28, 30]) {
        expect(decode(concatBytes([Uint8Array.from([af, 0, 0, 0]), v6]), lt).srcIp).toBe('2001:db8::1');
        expect(decode(concatBytes([Uint8Array.from([0, 0, 0, af]), v6]), lt).srcIp).toBe('2001:db8::1');
      }
    }
  });

  it('raises its events', () => {
    expect(decode(new Uint8Array(3), LinkType.NULL).events).toEqual(['decoder.ltnull.pkt_too_small']);
    expect(decode(Uint8Array.from([7, 0, 0, 0, 0x45]), LinkType.NULL).events).toEqual(['decoder.ltnull.unsupported_type']);
  });
});

describe('unknown link types', () => {
  it('raise an event instead of guessing', () => {
    const p = decode(v4, 197);
    expect(p.events).toEqual(['decoder.link.unsupported_type']);
    expect(p.ipVersion).toBe(0);
  });
});
