import { describe, expect, it } from 'vitest';
import { PacketDecoder } from './decoder.ts';
import { EtherType } from './linkTypes.ts';
import { Packet } from './packet.ts';
import { arp, capturedPacket, ethernet, fragmentIPv4, icmp, ipv4, ipv6, tcp, tcpSynOptions, udp } from '../testing/pcapWriter.ts';

describe('Packet.reset', () => {
  it('sets every field back to what the constructor gives', () => {
    const data = new Uint8Array([1, 2, 3]);
    const fresh = new Packet(data, 1, 10, 20, 30, 2);
    const p = new Packet(new Uint8Array(9), 101, 1, 2, 3, 4);
    // Any field reset() forgot keeps this value and makes the objects differ.
    for (const key of Object.keys(p)) (p as unknown as Record<string, unknown>)[key] = 'stale';
    p.reset(data, 1, 10, 20, 30, 2);
    expect(p).toEqual(fresh);
    expect(Object.keys(p)).toEqual(Object.keys(fresh));
  });

  it('decoding into a reused packet gives what decoding into a fresh one gives', () => {
    const frames = [
      ethernet({ etherType: EtherType.IPV4, vlan: [7, 9] }, ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 6 }, tcp({ srcPort: 1, dstPort: 2, seq: 5, ack: 6, flags: 0x12, options: tcpSynOptions({ mss: 1460, wscale: 7, sackPermitted: true, tsVal: 1, tsEcr: 2 }) }, 'abc'))),
      ethernet({ etherType: EtherType.IPV4 }, ipv4({ src: '10.0.0.3', dst: '10.0.0.4', proto: 17 }, udp({ srcPort: 53, dstPort: 5353 }, 'q'))),
      ethernet({ etherType: EtherType.IPV6 }, ipv6({ src: '2001:db8::1', dst: '2001:db8::2', nextHeader: 58 }, icmp(128, 0, 'ping'))),
      ethernet({ etherType: EtherType.ARP }, arp({ op: 1, senderMac: '00:11:22:33:44:55', senderIp: '10.0.0.1', targetMac: '00:00:00:00:00:00', targetIp: '10.0.0.2' })),
      ...fragmentIPv4({ src: '10.0.0.5', dst: '10.0.0.6', proto: 17, id: 77 }, udp({ srcPort: 1, dstPort: 2 }, new Uint8Array(100)), 48).map((f) => ethernet({ etherType: EtherType.IPV4 }, f)),
      new Uint8Array(5),
    ];
    const freshDecoder = new PacketDecoder();
    const reusingDecoder = new PacketDecoder();
    const reused = new Packet(new Uint8Array(0), 0, 0, 0, 0, 0);
    for (const order of [frames, [...frames].reverse()]) {
      for (const frame of order) {
        const c = capturedPacket(frame, 1, 100, 200);
        const expected = freshDecoder.decode(c);
        const got = reusingDecoder.decode(c, reused);
        expect(got).toBe(reused);
        expect({ ...got, srcIp: got.srcIp, dstIp: got.dstIp }).toEqual({ ...expected, srcIp: expected.srcIp, dstIp: expected.dstIp });
      }
    }
  });
});
