/**
 * BSD loopback links. DLT_NULL (0) starts with a 4-byte address family in the capturing host's
 * byte order, DLT_LOOP (108) in network order; since the file does not say which host wrote it,
 * both byte orders are tried. AF_INET is 2 everywhere; AF_INET6 is 10 (Linux), 24 (NetBSD,
 * OpenBSD), 28 (FreeBSD) or 30 (macOS).
 */
import { decodeIPv4 } from './ipv4.ts';
import { decodeIPv6 } from './ipv6.ts';
import { DecoderEvent } from './events.ts';
import type { Packet } from './packet.ts';

export const LOOPBACK_HEADER_BYTES = 4;

export function decodeLoopback(p: Packet, off: number, end: number): void {
  if (end - off < LOOPBACK_HEADER_BYTES) {
    p.addEvent(DecoderEvent.ltnullPktTooSmall);
    return;
  }
  const b = p.data;
  const le = (b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16) | (b[off + 3]! << 24)) >>> 0;
  const family = le <= 0xffff ? le : ((b[off]! << 24) | (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!) >>> 0;
  const ip = off + LOOPBACK_HEADER_BYTES;
  switch (family) {
    case 2:
      decodeIPv4(p, ip, end);
      return;
    case 10:
    case 24:
    case 28:
    case 30:
      decodeIPv6(p, ip, end);
      return;
    default:
      p.addEvent(DecoderEvent.ltnullUnsupportedType);
  }
}
