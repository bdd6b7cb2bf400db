/**
 * IPv4 header (RFC 791). Options are skipped, not validated. The frame is cut at the IP total
 * length so Ethernet padding never reaches the payload. A fragment (MF set or offset > 0) stops
 * here with isFragment set; the decoder hands it to the Defragmenter. Checksums are not checked.
 */
import { DecoderEvent } from './events.ts';
import { IpProto } from './linkTypes.ts';
import type { Packet } from './packet.ts';
import { decodeTransport } from './transport.ts';

export const IPV4_HEADER_BYTES = 20;

export function decodeIPv4(p: Packet, off: number, end: number): void {
  const len = end - off;
  if (len < IPV4_HEADER_BYTES) {
    p.addEvent(DecoderEvent.ipv4PktTooSmall);
    return;
  }
  const b = p.data;
  const vhl = b[off]!;
  if (vhl >> 4 !== 4) {
    p.addEvent(DecoderEvent.ipv4WrongIpVersion);
    return;
  }
  const hlen = (vhl & 0x0f) << 2;
  if (hlen < IPV4_HEADER_BYTES) {
    p.addEvent(DecoderEvent.ipv4HlenTooSmall);
    return;
  }
  const totalLength = (b[off + 2]! << 8) | b[off + 3]!;
  if (totalLength < hlen) {
    p.addEvent(DecoderEvent.ipv4IplenSmallerThanHlen);
    return;
  }
  if (len < totalLength) {
    p.addEvent(DecoderEvent.ipv4TruncPkt);
    return;
  }
  const ipEnd = off + totalLength;
  const flagsOffset = (b[off + 6]! << 8) | b[off + 7]!;
  const proto = b[off + 9]!;
  p.ipVersion = 4;
  p.l3Offset = off;
  p.l4Offset = off + hlen;
  p.tos = b[off + 1]!;
  p.ipTotalLength = totalLength;
  p.ipHeaderLength = hlen;
  p.ipId = (b[off + 4]! << 8) | b[off + 5]!;
  p.dontFragment = (flagsOffset & 0x4000) !== 0;
  p.moreFragments = (flagsOffset & 0x2000) !== 0;
  p.fragmentOffset = (flagsOffset & 0x1fff) << 3;
  p.ttl = b[off + 8]!;
  p.proto = proto;
  p.setAddresses(off + 12, off + 16);
  if (p.moreFragments || p.fragmentOffset !== 0) {
    p.isFragment = true;
    p.payload = b.subarray(off + hlen, ipEnd);
    return;
  }
  if (proto === IpProto.ICMPV6) {
    p.addEvent(DecoderEvent.ipv4Icmpv6);
    return;
  }
  decodeTransport(p, proto, off + hlen, ipEnd);
}
