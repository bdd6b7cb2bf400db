import { describe, it, expect } from 'vitest';
import { Defragmenter } from './defrag.ts';
import { PacketDecoder } from './decoder.ts';
import { EtherType, IpProto, LinkType } from './linkTypes.ts';
import type { Packet } from './packet.ts';
import { capturedPacket, ethernet, fragmentIPv4, fragmentIPv6, ipv4, tcp, udp } from '../testing/pcapWriter.ts';

const v4 = { src: '192.0.2.1', dst: '192.0.2.2', proto: IpProto.UDP, id: 0x1234 };
const v6 = { src: '2001:db8::1', dst: '2001:db8::2', nextHeader: IpProto.UDP };
const body = (n: number) => Uint8Array.from({ length: n }, (_, i) => i & 0xff);

function feed(decoder: PacketDecoder, frames: Uint8Array[], tsSec = 100): Packet[] {
  return frames.map((f) => decoder.decode(capturedPacket(f, LinkType.RAW, tsSec)));
}

describe('Defragmenter', () => {
  it('reassembles IPv4 fragments in any order into a decoded datagram', () => {
    const dgram = udp({ srcPort: 53, dstPort: 4000 }, body(3000));
    const frags = fragmentIPv4(v4, dgram, 1480);
    expect(frags).toHaveLength(3);
    for (const order of [[0, 1, 2], [2, 1, 0], [1, 2, 0]]) {
      const d = new PacketDecoder();
      const out = feed(d, order.map((i) => frags[i]!));
      expect(out.slice(0, 2).every((p) => p.isFragment && p.reassembled === null)).toBe(true);
      const r = out[2]!.reassembled!;
      expect([r.isReassembled, r.ipVersion, r.srcIp, r.proto, r.srcPort, r.dstPort, r.udpLength, r.ipTotalLength, r.moreFragments, r.fragmentOffset])
        .toEqual([true, 4, '192.0.2.1', 17, 53, 4000, 3008, 3028, false, 0]);
      expect(Array.from(r.payload)).toEqual(Array.from(body(3000)));
      expect(r.events).toEqual([]);
      expect(d.defrag!.stats).toMatchObject({ fragments: 3, reassembled: 1 });
      expect(d.defrag!.datagramsTracked).toBe(0);
      expect(d.defrag!.bytesTracked).toBe(0);
    }
  });

  it('reassembles IPv6 fragments, restoring the next header', () => {
    const dgram = udp({ srcPort: 53, dstPort: 4000 }, body(2000));
    const frags = fragmentIPv6(v6, dgram, 1232, 0xdeadbeef);
    const out = feed(new PacketDecoder(), [frags[1]!, frags[0]!]);
    expect(out[0]!.ipId).toBe(0xdeadbeef);
    const r = out[1]!.reassembled!;
    expect([r.ipVersion, r.dstIp, r.proto, r.ipHeaderLength, r.udpLength, r.payload.length]).toEqual([6, '2001:db8::2', 17, 40, 2008, 2000]);
    expect(r.events).toEqual([]);
  });

  it('keeps datagrams with different ids, addresses or protocols apart', () => {
    const d = new PacketDecoder();
    const a = fragmentIPv4({ ...v4, id: 1 }, udp({ srcPort: 1, dstPort: 2 }, body(100)), 64);
    const b = fragmentIPv4({ ...v4, id: 2 }, udp({ srcPort: 1, dstPort: 2 }, body(100)), 64);
    const out = feed(d, [a[0]!, b[0]!, b[1]!, a[1]!]);
    expect(out.map((p) => p.reassembled !== null)).toEqual([false, false, true, true]);
  });

  it('gives the rebuilt datagram the VLANs and timestamp of the completing fragment', () => {
    const frags = fragmentIPv4(v4, udp({ srcPort: 1, dstPort: 2 }, body(64)), 32);
    expect(frags).toHaveLength(3);
    const d = new PacketDecoder();
    const frame = (ip: Uint8Array) => ethernet({ etherType: EtherType.IPV4, vlan: [5, 6] }, ip);
    expect(d.decode(capturedPacket(frame(frags[0]!), LinkType.ETHERNET, 5)).reassembled).toBeNull();
    expect(d.decode(capturedPacket(frame(frags[2]!), LinkType.ETHERNET, 6)).reassembled).toBeNull();
    const r = d.decode(capturedPacket(frame(frags[1]!), LinkType.ETHERNET, 7, 8)).reassembled!;
    expect([r.vlan, r.tsSec, r.tsNsec, r.linkType, r.l3Offset, r.dstPort]).toEqual([[5, 6], 7, 8, LinkType.RAW, 0, 2]);
  });

  it('keeps the first copy of overlapping bytes and raises frag_overlap', () => {
    const first = ipv4({ ...v4, moreFragments: true }, Uint8Array.from([...udp({ srcPort: 1, dstPort: 2 }).subarray(0, 4), 0, 24, 0, 0, ...new Array<number>(8).fill(0xaa)]));
    const overlap = ipv4({ ...v4, fragmentOffset: 8, moreFragments: true }, new Uint8Array(8).fill(0xbb));
    const last = ipv4({ ...v4, fragmentOffset: 16 }, new Uint8Array(8).fill(0xcc));
    const d = new PacketDecoder();
    const out = feed(d, [first, overlap, last]);
    expect(out[1]!.events).toEqual(['decoder.ipv4.frag_overlap']);
    const r = out[2]!.reassembled!;
    expect(Array.from(r.payload)).toEqual([...new Array<number>(8).fill(0xaa), ...new Array<number>(8).fill(0xcc)]);
    expect(d.defrag!.stats.overlaps).toBe(1);
  });

  it('refuses fragments past 64 KiB with frag_pkt_too_large', () => {
    const p = feed(new PacketDecoder(), [ipv4({ ...v4, fragmentOffset: 65528, moreFragments: true }, new Uint8Array(16))])[0]!;
    expect(p.events).toEqual(['decoder.ipv4.frag_pkt_too_large']);
  });

  it('caps fragments per datagram with frag_ignored', () => {
    const d = new PacketDecoder(new Defragmenter({ maxFragmentsPerDatagram: 4 }));
    const frames = Array.from({ length: 6 }, (_, i) => ipv4({ ...v4, fragmentOffset: 8 * (i + 1), moreFragments: true }, new Uint8Array(8)));
    const out = feed(d, frames);
    expect(out.map((p) => p.events)).toEqual([[], [], [], [], ['decoder.ipv4.frag_ignored'], ['decoder.ipv4.frag_ignored']]);
    expect(d.defrag!.stats.dropped).toBe(2);
  });

  it('evicts the oldest datagrams when the table or the byte budget is full', () => {
    const defrag = new Defragmenter({ maxDatagrams: 3, maxBytes: 1_000_000 });
    const d = new PacketDecoder(defrag);
    feed(d, Array.from({ length: 5 }, (_, i) => ipv4({ ...v4, id: i, moreFragments: true }, new Uint8Array(8))));
    expect(defrag.datagramsTracked).toBe(3);
    expect(defrag.stats.evicted).toBe(2);

    const small = new Defragmenter({ maxBytes: 100 });
    const d2 = new PacketDecoder(small);
    feed(d2, Array.from({ length: 5 }, (_, i) => ipv4({ ...v4, id: i, moreFragments: true }, new Uint8Array(40))));
    expect(small.bytesTracked).toBeLessThanOrEqual(100);
    expect(small.stats.evicted).toBe(3);
  });

  it('times out datagrams by packet time, not wall time', () => {
    const defrag = new Defragmenter({ timeoutSec: 30 });
    const d = new PacketDecoder(defrag);
    const frags = fragmentIPv4(v4, tcp({ srcPort: 1, dstPort: 2 }, body(100)), 64);
    feed(d, [frags[0]!], 1000);
    const late = feed(d, [frags[1]!], 1031)[0]!;
    expect(late.reassembled).toBeNull();
    expect(defrag.stats.timedOut).toBe(1);
    const inTime = new PacketDecoder(new Defragmenter({ timeoutSec: 30 }));
    feed(inTime, [frags[0]!], 1000);
    expect(feed(inTime, [frags[1]!], 1029)[0]!.reassembled).not.toBeNull();
  });

  it('can be switched off', () => {
    const frags = fragmentIPv4(v4, udp({ srcPort: 1, dstPort: 2 }, body(100)), 64);
    const out = feed(new PacketDecoder(null), frags);
    expect(out.every((p) => p.isFragment && p.reassembled === null)).toBe(true);
  });
});
