/**
 * PPPoE session stage (EtherType 0x8864, RFC 2516): version/type(1) code(1) session id(2)
 * length(2), then a 2-byte PPP protocol: 0x0021 IPv4, 0x0057 IPv6. Discovery frames (0x8863)
 * carry no IP and are left undecoded.
 */
import { DecoderEvent } from './events.ts';
import { decodeIPv4 } from './ipv4.ts';
import { decodeIPv6 } from './ipv6.ts';
import type { Packet } from './packet.ts';

export const PPPOE_SESSION_HEADER_BYTES = 8;
const PPP_IPV4 = 0x0021;
const PPP_IPV6 = 0x0057;

export function decodePppoeSession(p: Packet, off: number, end: number): void {
  if (end - off < PPPOE_SESSION_HEADER_BYTES) {
    p.addEvent(DecoderEvent.pppoePktTooSmall);
    return;
  }
  const b = p.data;
  if (b[off + 1] !== 0) {
    p.addEvent(DecoderEvent.pppoeWrongCode);
    return;
  }
  // The PPPoE length counts the PPP protocol field and its payload; trust it only when it fits.
  const length = (b[off + 4]! << 8) | b[off + 5]!;
  const pppEnd = Math.min(end, off + 6 + length);
  const proto = (b[off + 6]! << 8) | b[off + 7]!;
  const ip = off + PPPOE_SESSION_HEADER_BYTES;
  if (proto === PPP_IPV4) decodeIPv4(p, ip, pppEnd);
  else if (proto === PPP_IPV6) decodeIPv6(p, ip, pppEnd);
  else p.payload = b.subarray(ip, pppEnd);
}
