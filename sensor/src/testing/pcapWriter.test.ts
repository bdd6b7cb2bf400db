import { describe, it, expect } from 'vitest';
import {
  capturedPacket, ethernet, fragmentIPv4, icmp, ipv4, ipv6, parseIPv4, parseIPv6, parseMac, tcp, tcpSynOptions, udp, writePcap,
} from './pcapWriter.ts';

/** One's-complement sum over the given byte ranges: 0xffff when a checksum inside them is right. */
function sum16(parts: Uint8Array[]): number {
  let s = 0;
  for (const b of parts) {
    for (let i = 0; i + 1 < b.length; i += 2) s += (b[i]! << 8) | b[i + 1]!;
    if (b.length % 2) s += b[b.length - 1]! << 8;
  }
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

describe('address parsing', () => {
  it('parses IPv4, IPv6 (with :: and embedded IPv4) and MAC', () => {
    expect(Array.from(parseIPv4('192.0.2.255'))).toEqual([192, 0, 2, 255]);
    expect(Array.from(parseIPv6('2001:db8::1'))).toEqual([0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), 1]);
    expect(Array.from(parseIPv6('::ffff:1.2.3.4')).slice(10)).toEqual([0xff, 0xff, 1, 2, 3, 4]);
    expect(Array.from(parseIPv6('::'))).toEqual(new Array<number>(16).fill(0));
    expect(Array.from(parseMac('00:1a:2b:3c:4d:5e'))).toEqual([0, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e]);
    expect(() => parseIPv4('1.2.3')).toThrow();
    expect(() => parseIPv6('1:2:3')).toThrow();
  });
});

describe('packet builders', () => {
  it('build an Ethernet/IPv4/TCP frame with valid checksums', () => {
    const seg = tcp({ srcPort: 1234, dstPort: 80, seq: 1, ack: 2 }, 'GET /');
    const ip = ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 6 }, seg);
    expect(ip.length).toBe(20 + 20 + 5);
    expect(sum16([ip.subarray(0, 20)])).toBe(0xffff);
    const pseudo = Uint8Array.from([10, 0, 0, 1, 10, 0, 0, 2, 0, 6, 0, 25]);
    expect(sum16([pseudo, ip.subarray(20)])).toBe(0xffff);
    const frame = ethernet({ etherType: 0x0800, vlan: [3] }, ip);
    expect(Array.from(frame.subarray(12, 18))).toEqual([0x81, 0x00, 0x00, 0x03, 0x08, 0x00]);
  });

  it('fill UDP-over-IPv6 and ICMP checksums', () => {
    const ip = ipv6({ src: '2001:db8::1', dst: '2001:db8::2', nextHeader: 17 }, udp({ srcPort: 1, dstPort: 2 }, 'abc'));
    const pseudo = new Uint8Array(40);
    pseudo.set(ip.subarray(8, 40), 0);
    pseudo[35] = 11;
    pseudo[39] = 17;
    expect(sum16([pseudo, ip.subarray(40)])).toBe(0xffff);
    const ping = ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 1 }, icmp(8, 0, Uint8Array.from([0, 1, 0, 1])));
    expect(sum16([ping.subarray(20)])).toBe(0xffff);
  });

  it('encode TCP SYN options', () => {
    expect(Array.from(tcpSynOptions({ mss: 1460, sackPermitted: true, wscale: 7 }))).toEqual([2, 4, 5, 180, 4, 2, 1, 3, 3, 7]);
  });

  it('fragment a datagram on 8-byte boundaries', () => {
    const frags = fragmentIPv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 17, id: 5 }, udp({ srcPort: 1, dstPort: 2 }, new Uint8Array(30)), 20);
    expect(frags.map((f) => [f.length - 20, ((f[6]! << 8) | f[7]!) & 0x1fff, (f[6]! & 0x20) !== 0])).toEqual([
      [16, 0, true],
      [16, 2, true],
      [6, 4, false],
    ]);
  });

  it('write a classic pcap header tcpdump accepts', () => {
    const file = writePcap([{ data: new Uint8Array(4) }], { linkType: 101 });
    expect(Array.from(file.subarray(0, 4))).toEqual([0xd4, 0xc3, 0xb2, 0xa1]);
    expect(file.length).toBe(24 + 16 + 4);
    expect(capturedPacket(file, 1).origLen).toBe(file.length);
  });
});
