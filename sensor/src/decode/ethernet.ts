/**
 * Ethernet II: destination MAC(6) source MAC(6) EtherType(2). Frames whose type field is a
 * length (< 0x0600, IEEE 802.3/LLC) are not decoded further. No FCS is assumed.
 */
import { decodeEtherType } from './etherType.ts';
import { DecoderEvent } from './events.ts';
import type { Packet } from './packet.ts';

export const ETHERNET_HEADER_BYTES = 14;
const MIN_ETHERTYPE = 0x0600;

export function decodeEthernet(p: Packet, off: number, end: number): void {
  if (end - off < ETHERNET_HEADER_BYTES) {
    p.addEvent(DecoderEvent.ethernetPktTooSmall);
    return;
  }
  const b = p.data;
  p.ethOffset = off;
  const type = (b[off + 12]! << 8) | b[off + 13]!;
  if (type < MIN_ETHERTYPE) {
    p.payload = b.subarray(off + ETHERNET_HEADER_BYTES, end);
    return;
  }
  decodeEtherType(p, type, off + ETHERNET_HEADER_BYTES, end);
}
