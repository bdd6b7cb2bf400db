/** UDP header (RFC 768). The payload is cut at the UDP length field. Checksums are not checked. */
import { DecoderEvent } from './events.ts';
import type { Packet } from './packet.ts';

export const UDP_HEADER_BYTES = 8;

export function decodeUdp(p: Packet, off: number, end: number): void {
  const len = end - off;
  if (len < UDP_HEADER_BYTES) {
    p.addEvent(DecoderEvent.udpHlenTooSmall);
    return;
  }
  const b = p.data;
  const udpLength = (b[off + 4]! << 8) | b[off + 5]!;
  if (len < udpLength) {
    p.addEvent(DecoderEvent.udpPktTooSmall);
    return;
  }
  if (udpLength < UDP_HEADER_BYTES) {
    p.addEvent(DecoderEvent.udpHlenInvalid);
    return;
  }
  p.srcPort = (b[off]! << 8) | b[off + 1]!;
  p.dstPort = (b[off + 2]! << 8) | b[off + 3]!;
  p.udpLength = udpLength;
  p.payload = b.subarray(off + UDP_HEADER_BYTES, off + udpLength);
}
