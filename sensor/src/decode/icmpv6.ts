/**
 * ICMPv6 (RFC 4443 and the NDP/MLD types): type and code, with Suricata's events for unknown,
 * unassigned and experimental types, impossible codes, and MLD messages whose hop limit is not 1.
 */
import { DecoderEvent } from './events.ts';
import type { Packet } from './packet.ts';

export const ICMPV6_HEADER_BYTES = 4;

/** Highest defined code for the error messages; informational messages all use code 0. */
const ERROR_MAX_CODE: ReadonlyMap<number, number> = new Map([[1, 7], [2, 0], [3, 1], [4, 3]]);
const MLD_TYPES = new Set([130, 131, 132, 143]);

export function decodeIcmpv6(p: Packet, off: number, end: number): void {
  if (end - off < ICMPV6_HEADER_BYTES) {
    p.addEvent(DecoderEvent.icmpv6PktTooSmall);
    return;
  }
  const b = p.data;
  const type = b[off]!;
  const code = b[off + 1]!;
  p.icmpType = type;
  p.icmpCode = code;
  const errorMax = ERROR_MAX_CODE.get(type);
  if (errorMax !== undefined) {
    if (code > errorMax) p.addEvent(DecoderEvent.icmpv6UnknownCode);
  } else if (type === 100 || type === 101 || type === 200 || type === 201) {
    p.addEvent(DecoderEvent.icmpv6ExperimentationType);
  } else if (type >= 128 && type <= 161) {
    // Router renumbering (138) and node information (139, 140) define non-zero codes.
    if (code !== 0 && type !== 138 && type !== 139 && type !== 140) p.addEvent(DecoderEvent.icmpv6UnknownCode);
    if (MLD_TYPES.has(type) && p.ttl !== 1) p.addEvent(DecoderEvent.icmpv6MldMessageWithInvalidHl);
  } else if (type === 0 || type === 127 || type === 255) {
    p.addEvent(DecoderEvent.icmpv6UnknownType);
  } else {
    p.addEvent(DecoderEvent.icmpv6UnassignedType);
  }
  p.payload = b.subarray(off + ICMPV6_HEADER_BYTES, end);
}
