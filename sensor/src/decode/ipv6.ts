/**
 * IPv6 fixed header (RFC 8200) and the extension-header chain: hop-by-hop, routing, destination
 * options, fragment and AH are skipped (their lengths checked), ESP and "no next header" end the
 * chain. A real fragment (offset > 0 or M set) stops decoding with isFragment set; an atomic
 * fragment (offset 0, M clear) is noted (exthdr_useless_fh) and decoding continues.
 *
 * Hop-by-hop and destination options are walked for Suricata's option events (unknown option,
 * only padding, zero-length PadN, an option running past its header).
 *
 * Limit: at most IPV6_MAX_EXT_HEADERS headers are followed, so a chain of tiny headers cannot
 * make one packet expensive.
 */
import { DecoderEvent } from './events.ts';
import { IpProto } from './linkTypes.ts';
import type { Packet } from './packet.ts';
import { decodeTransport } from './transport.ts';

export const IPV6_HEADER_BYTES = 40;
export const IPV6_MAX_EXT_HEADERS = 16;
const FRAGMENT_HEADER_BYTES = 8;

export function decodeIPv6(p: Packet, off: number, end: number): void {
  const len = end - off;
  if (len < IPV6_HEADER_BYTES) {
    p.addEvent(DecoderEvent.ipv6PktTooSmall);
    return;
  }
  const b = p.data;
  if (b[off]! >> 4 !== 6) {
    p.addEvent(DecoderEvent.ipv6WrongIpVersion);
    return;
  }
  const payloadLength = (b[off + 4]! << 8) | b[off + 5]!;
  if (IPV6_HEADER_BYTES + payloadLength > len) {
    p.addEvent(DecoderEvent.ipv6TruncPkt);
    return;
  }
  const ipEnd = off + IPV6_HEADER_BYTES + payloadLength;
  p.ipVersion = 6;
  p.l3Offset = off;
  p.tos = ((b[off]! & 0x0f) << 4) | (b[off + 1]! >> 4);
  p.ipv6FlowLabel = ((b[off + 1]! & 0x0f) << 16) | (b[off + 2]! << 8) | b[off + 3]!;
  p.ttl = b[off + 7]!;
  p.ipTotalLength = IPV6_HEADER_BYTES + payloadLength;
  p.setAddresses(off + 8, off + 24);

  let next = b[off + 6]!;
  let nextFieldOffset = off + 6;
  let o = off + IPV6_HEADER_BYTES;
  let seen = 0;
  for (let count = 0; count < IPV6_MAX_EXT_HEADERS; count++) {
    if (next === IpProto.HOPOPTS || next === IpProto.ROUTING || next === IpProto.DSTOPTS) {
      if (ipEnd - o < 2) return truncExthdr(p, next, o);
      const hlen = (b[o + 1]! + 1) << 3;
      if (ipEnd - o < hlen) return truncExthdr(p, next, o);
      const bit = next === IpProto.HOPOPTS ? 1 : next === IpProto.ROUTING ? 2 : 4;
      if ((seen & bit) !== 0) {
        p.addEvent(bit === 1 ? DecoderEvent.ipv6ExthdrDuplHh : bit === 2 ? DecoderEvent.ipv6ExthdrDuplRh : DecoderEvent.ipv6ExthdrDuplDh);
      }
      seen |= bit;
      if (next === IpProto.ROUTING) {
        if (b[o + 2] === 0) p.addEvent(DecoderEvent.ipv6RhType0);
      } else {
        checkOptions(p, b, o + 2, o + hlen, next === IpProto.HOPOPTS);
      }
      nextFieldOffset = o;
      next = b[o]!;
      o += hlen;
    } else if (next === IpProto.AH) {
      if (ipEnd - o < 2) return truncExthdr(p, next, o);
      const hlen = (b[o + 1]! + 2) << 2;
      if (hlen < 12 || ipEnd - o < hlen) return truncExthdr(p, next, o);
      if ((seen & 8) !== 0) p.addEvent(DecoderEvent.ipv6ExthdrDuplAh);
      seen |= 8;
      if (b[o + 2] !== 0 || b[o + 3] !== 0) p.addEvent(DecoderEvent.ipv6ExthdrAhResNotNull);
      nextFieldOffset = o;
      next = b[o]!;
      o += hlen;
    } else if (next === IpProto.FRAGMENT) {
      if (ipEnd - o < FRAGMENT_HEADER_BYTES) return truncExthdr(p, next, o);
      if ((seen & 16) !== 0) p.addEvent(DecoderEvent.ipv6ExthdrDuplFh);
      seen |= 16;
      if (b[o + 1] !== 0 || (b[o + 3]! & 0x06) !== 0) p.addEvent(DecoderEvent.ipv6FhNonZeroReservedField);
      const offsetFlags = (b[o + 2]! << 8) | b[o + 3]!;
      const fragOffset = offsetFlags & 0xfff8;
      const more = (offsetFlags & 1) !== 0;
      p.ipId = ((b[o + 4]! << 24) | (b[o + 5]! << 16) | (b[o + 6]! << 8) | b[o + 7]!) >>> 0;
      if (fragOffset === 0 && !more) {
        p.addEvent(DecoderEvent.ipv6ExthdrUselessFh);
        nextFieldOffset = o;
        next = b[o]!;
        o += FRAGMENT_HEADER_BYTES;
        continue;
      }
      p.isFragment = true;
      p.moreFragments = more;
      p.fragmentOffset = fragOffset;
      p.ipv6FragHeaderOffset = o;
      p.ipv6FragNextHeaderFieldOffset = nextFieldOffset;
      p.proto = b[o]!;
      p.ipHeaderLength = o + FRAGMENT_HEADER_BYTES - off;
      p.l4Offset = o + FRAGMENT_HEADER_BYTES;
      p.payload = b.subarray(o + FRAGMENT_HEADER_BYTES, ipEnd);
      return;
    } else {
      break;
    }
  }
  p.proto = next;
  p.ipHeaderLength = o - off;
  p.l4Offset = o;
  if (next === IpProto.NONE) {
    if (o < ipEnd) p.addEvent(DecoderEvent.ipv6DataAfterNoneHeader);
    return;
  }
  if (next === IpProto.ICMP) {
    p.addEvent(DecoderEvent.ipv6Icmpv4);
    return;
  }
  decodeTransport(p, next, o, ipEnd);
}

const OPT_PAD1 = 0x00;
const OPT_PADN = 0x01;
/** Options Suricata knows: router alert, jumbo payload, home address. */
const KNOWN_OPTIONS = new Set([0x05, 0xc2, 0xc9]);

function checkOptions(p: Packet, b: Uint8Array, o: number, end: number, hopByHop: boolean): void {
  let onlyPadding = true;
  while (o < end) {
    const type = b[o]!;
    if (type === OPT_PAD1) {
      o++;
      continue;
    }
    if (o + 2 > end || o + 2 + b[o + 1]! > end) {
      p.addEvent(DecoderEvent.ipv6ExthdrInvalidOptlen);
      return;
    }
    const len = b[o + 1]!;
    if (type === OPT_PADN) {
      if (len === 0) p.addEvent(DecoderEvent.ipv6ZeroLenPadn);
    } else {
      onlyPadding = false;
      if (!KNOWN_OPTIONS.has(type)) {
        p.addEvent(hopByHop ? DecoderEvent.ipv6HopoptsUnknownOpt : DecoderEvent.ipv6DstoptsUnknownOpt);
      }
    }
    o += 2 + len;
  }
  if (onlyPadding) p.addEvent(hopByHop ? DecoderEvent.ipv6HopoptsOnlyPadding : DecoderEvent.ipv6DstoptsOnlyPadding);
}

function truncExthdr(p: Packet, next: number, o: number): void {
  p.addEvent(DecoderEvent.ipv6TruncExthdr);
  p.proto = next;
  p.l4Offset = o;
  p.ipHeaderLength = o - p.l3Offset;
}
