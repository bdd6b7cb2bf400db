/**
 * ICMPv4 (RFC 792): type, code and, for error messages, a sanity check of the quoted IPv4 header.
 * Payload is everything after the 8-byte header. Unknown types and codes raise Suricata's events.
 */
import { DecoderEvent } from './events.ts';
import type { Packet } from './packet.ts';

export const ICMPV4_HEADER_BYTES = 8;

/** Highest defined code per type; types absent here are unknown. */
const MAX_CODE: ReadonlyMap<number, number> = new Map([
  [0, 0], [3, 15], [4, 0], [5, 3], [8, 0], [9, 16], [10, 0], [11, 1], [12, 2],
  [13, 0], [14, 0], [15, 0], [16, 0], [17, 0], [18, 0],
]);
/** Error messages quote the offending IPv4 header. */
const QUOTES_IP = new Set([3, 4, 5, 11, 12]);

export function decodeIcmpv4(p: Packet, off: number, end: number): void {
  if (end - off < ICMPV4_HEADER_BYTES) {
    p.addEvent(DecoderEvent.icmpv4PktTooSmall);
    return;
  }
  const b = p.data;
  const type = b[off]!;
  const code = b[off + 1]!;
  p.icmpType = type;
  p.icmpCode = code;
  const max = MAX_CODE.get(type);
  if (max === undefined) p.addEvent(DecoderEvent.icmpv4UnknownType);
  else if (code > max) p.addEvent(DecoderEvent.icmpv4UnknownCode);
  const inner = off + ICMPV4_HEADER_BYTES;
  if (QUOTES_IP.has(type)) {
    if (end - inner < 20) p.addEvent(DecoderEvent.icmpv4Ipv4TruncPkt);
    else if (b[inner]! >> 4 !== 4) p.addEvent(DecoderEvent.icmpv4Ipv4UnknownVer);
  }
  p.payload = b.subarray(inner, end);
}
