import { describe, it, expect } from 'vitest';
import { PacketDecoder } from './decoder.ts';
import { EtherType, IpProto } from './linkTypes.ts';
import { arp, capturedPacket, ethernet, ipv4, udp } from '../testing/pcapWriter.ts';

const decode = (data: Uint8Array, linkType = 1) => new PacketDecoder().decode(capturedPacket(data, linkType));
const udpV4 = ipv4({ src: '192.0.2.1', dst: '198.51.100.2', proto: IpProto.UDP }, udp({ srcPort: 1, dstPort: 2 }, 'x'));

describe('Ethernet', () => {
  it('decodes MACs and hands IPv4 on', () => {
    const p = decode(ethernet({ src: '00:11:22:33:44:55', dst: 'ff:ff:ff:ff:ff:ff', etherType: EtherType.IPV4 }, udpV4));
    expect([p.srcMac, p.dstMac, p.etherType, p.ipVersion, p.l3Offset, p.srcIp, p.dstPort]).toEqual([
      '00:11:22:33:44:55', 'ff:ff:ff:ff:ff:ff', 0x0800, 4, 14, '192.0.2.1', 2,
    ]);
    expect(p.vlan).toEqual([]);
    expect(p.events).toEqual([]);
  });

  it('raises pkt_too_small below 14 bytes', () => {
    expect(decode(new Uint8Array(13)).events).toEqual(['decoder.ethernet.pkt_too_small']);
  });

  it('ignores trailing Ethernet padding after the IP datagram', () => {
    const frame = new Uint8Array(14 + udpV4.length + 10);
    frame.set(ethernet({ etherType: EtherType.IPV4 }, udpV4));
    const p = decode(frame);
    expect(Array.from(p.payload)).toEqual([0x78]);
    expect(p.events).toEqual([]);
  });

  it('leaves 802.3 length frames undecoded without an event', () => {
    const p = decode(ethernet({ etherType: 0x0026 }, new Uint8Array(38)));
    expect([p.ipVersion, p.events.length, p.payload.length]).toEqual([0, 0, 38]);
  });
});

describe('VLAN', () => {
  it('collects 802.1Q and QinQ ids outermost first', () => {
    expect(decode(ethernet({ etherType: EtherType.IPV4, vlan: [100] }, udpV4)).vlan).toEqual([100]);
    const p = decode(ethernet({ etherType: EtherType.IPV4, vlan: [10, 20], vlanTpid: EtherType.QINQ }, udpV4));
    expect(p.vlan).toEqual([10, 20]);
    expect([p.srcIp, p.srcPort]).toEqual(['192.0.2.1', 1]);
  });

  it('stops after three tags', () => {
    const p = decode(ethernet({ etherType: EtherType.IPV4, vlan: [1, 2, 3, 4] }, udpV4));
    expect(p.vlan).toEqual([1, 2, 3]);
    expect(p.events).toEqual(['decoder.vlan.too_many_layers']);
    expect(p.ipVersion).toBe(0);
  });

  it('raises header_too_small and unknown_type', () => {
    const short = ethernet({ etherType: EtherType.VLAN }, Uint8Array.from([0, 5]));
    expect(decode(short).events).toEqual(['decoder.vlan.header_too_small']);
    expect(decode(ethernet({ etherType: 0x1234, vlan: [7] }, new Uint8Array(4))).events).toEqual(['decoder.vlan.unknown_type']);
  });
});

describe('ARP', () => {
  it('decodes an Ethernet/IPv4 request', () => {
    const p = decode(ethernet({ etherType: EtherType.ARP }, arp({
      op: 1, senderMac: '00:00:5e:00:53:01', senderIp: '192.0.2.1', targetMac: '00:00:00:00:00:00', targetIp: '192.0.2.2',
    })));
    expect([p.arpOp, p.arpSenderMac, p.arpSenderIp, p.arpTargetMac, p.arpTargetIp]).toEqual([
      1, '00:00:5e:00:53:01', '192.0.2.1', '00:00:00:00:00:00', '192.0.2.2',
    ]);
    expect(p.events).toEqual([]);
  });

  it('raises pkt_too_small on a cut message', () => {
    const p = decode(ethernet({ etherType: EtherType.ARP }, new Uint8Array([0, 1, 8, 0, 6, 4, 0, 2, 1, 2])));
    expect(p.events).toEqual(['decoder.arp.pkt_too_small']);
    expect([p.arpOp, p.arpSenderIp]).toEqual([2, '']);
  });
});

describe('PPPoE session', () => {
  it('decodes IPv4 inside PPP', () => {
    const ppp = new Uint8Array(8 + udpV4.length);
    ppp.set([0x11, 0, 0x12, 0x34, (udpV4.length + 2) >> 8, (udpV4.length + 2) & 0xff, 0x00, 0x21]);
    ppp.set(udpV4, 8);
    const p = decode(ethernet({ etherType: EtherType.PPPOE_SESSION }, ppp));
    expect([p.ipVersion, p.srcIp, p.dstPort]).toEqual([4, '192.0.2.1', 2]);
    expect(decode(ethernet({ etherType: EtherType.PPPOE_SESSION }, new Uint8Array(4))).events).toEqual(['decoder.pppoe.pkt_too_small']);
  });
});
