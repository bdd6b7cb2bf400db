/**
 * TCP header (RFC 9293) and the options a flow tracker needs: MSS, window scale, SACK-permitted,
 * SACK blocks (counted) and timestamps. A malformed option list stops option parsing with an event
 * but keeps the header fields and payload. Checksums are not checked.
 */
import { DecoderEvent } from './events.ts';
import type { Packet } from './packet.ts';

export const TCP_HEADER_BYTES = 20;

const OPT_EOL = 0;
const OPT_NOP = 1;
const OPT_MSS = 2;
const OPT_WSCALE = 3;
const OPT_SACK_PERMITTED = 4;
const OPT_SACK = 5;
const OPT_TIMESTAMP = 8;

export function decodeTcp(p: Packet, off: number, end: number): void {
  const len = end - off;
  if (len < TCP_HEADER_BYTES) {
    p.addEvent(DecoderEvent.tcpPktTooSmall);
    return;
  }
  const b = p.data;
  const hlen = (b[off + 12]! >> 4) << 2;
  if (hlen < TCP_HEADER_BYTES) {
    p.addEvent(DecoderEvent.tcpHlenTooSmall);
    return;
  }
  if (len < hlen) {
    p.addEvent(DecoderEvent.tcpPktTooSmall);
    return;
  }
  p.srcPort = (b[off]! << 8) | b[off + 1]!;
  p.dstPort = (b[off + 2]! << 8) | b[off + 3]!;
  p.tcpSeq = ((b[off + 4]! << 24) | (b[off + 5]! << 16) | (b[off + 6]! << 8) | b[off + 7]!) >>> 0;
  p.tcpAck = ((b[off + 8]! << 24) | (b[off + 9]! << 16) | (b[off + 10]! << 8) | b[off + 11]!) >>> 0;
  p.tcpFlags = b[off + 13]!;
  p.tcpWindow = (b[off + 14]! << 8) | b[off + 15]!;
  p.tcpUrgentPointer = (b[off + 18]! << 8) | b[off + 19]!;
  p.tcpHeaderLength = hlen;
  if (hlen > TCP_HEADER_BYTES) decodeTcpOptions(p, b, off + TCP_HEADER_BYTES, off + hlen);
  p.payload = b.subarray(off + hlen, end);
}

function decodeTcpOptions(p: Packet, b: Uint8Array, o: number, end: number): void {
  let seen = 0;
  while (o < end) {
    const kind = b[o]!;
    if (kind === OPT_EOL) return;
    if (kind === OPT_NOP) {
      o++;
      continue;
    }
    if (o + 1 >= end) {
      p.addEvent(DecoderEvent.tcpInvalidOptlen);
      return;
    }
    const olen = b[o + 1]!;
    if (olen < 2 || o + olen > end) {
      p.addEvent(DecoderEvent.tcpInvalidOptlen);
      return;
    }
    if (kind < 32) {
      const bit = 1 << kind;
      if ((seen & bit) !== 0 && kind !== OPT_SACK) p.addEvent(DecoderEvent.tcpOptDuplicate);
      seen |= bit;
    }
    switch (kind) {
      case OPT_MSS:
        if (olen !== 4) p.addEvent(DecoderEvent.tcpOptInvalidLen);
        else p.tcpMss = (b[o + 2]! << 8) | b[o + 3]!;
        break;
      case OPT_WSCALE:
        if (olen !== 3) p.addEvent(DecoderEvent.tcpOptInvalidLen);
        else p.tcpWindowScale = b[o + 2]!;
        break;
      case OPT_SACK_PERMITTED:
        if (olen !== 2) p.addEvent(DecoderEvent.tcpOptInvalidLen);
        else p.tcpSackPermitted = true;
        break;
      case OPT_SACK:
        if (olen < 10 || olen > 34 || (olen - 2) % 8 !== 0) p.addEvent(DecoderEvent.tcpOptInvalidLen);
        else p.tcpSackBlocks = (olen - 2) >> 3;
        break;
      case OPT_TIMESTAMP:
        if (olen !== 10) p.addEvent(DecoderEvent.tcpOptInvalidLen);
        else {
          p.tcpTsVal = ((b[o + 2]! << 24) | (b[o + 3]! << 16) | (b[o + 4]! << 8) | b[o + 5]!) >>> 0;
          p.tcpTsEcr = ((b[o + 6]! << 24) | (b[o + 7]! << 16) | (b[o + 8]! << 8) | b[o + 9]!) >>> 0;
        }
        break;
    }
    o += olen;
  }
}
