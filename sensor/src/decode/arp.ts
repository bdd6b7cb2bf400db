/**
 * ARP: hardware type(2) protocol type(2) hardware length(1) protocol length(1) operation(2), then
 * sender/target addresses. Only Ethernet/IPv4 ARP (6-byte MAC, 4-byte IP) exposes addresses.
 * Suricata does not decode ARP; the event name is ours.
 */
import { DecoderEvent } from './events.ts';
import type { Packet } from './packet.ts';

const ARP_FIXED_BYTES = 8;
const ARP_ETHERNET_IPV4_BYTES = 28;

export function decodeArp(p: Packet, off: number, end: number): void {
  const len = end - off;
  if (len < ARP_FIXED_BYTES) {
    p.addEvent(DecoderEvent.arpPktTooSmall);
    return;
  }
  const b = p.data;
  const op = (b[off + 6]! << 8) | b[off + 7]!;
  const hlen = b[off + 4]!;
  const plen = b[off + 5]!;
  if (hlen === 6 && plen === 4) {
    if (len < ARP_ETHERNET_IPV4_BYTES) {
      p.addEvent(DecoderEvent.arpPktTooSmall);
      p.arpOp = op;
      return;
    }
    p.setArp(off, op);
  } else {
    p.arpOp = op;
  }
}
