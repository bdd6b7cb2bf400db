/**
 * Linux "cooked" captures (`tcpdump -i any`). SLL (LINKTYPE 113): packet type(2) ARPHRD(2)
 * address length(2) address(8) protocol(2). SLL2 (LINKTYPE 276): protocol(2) reserved(2)
 * ifindex(4) ARPHRD(2) packet type(1) address length(1) address(8). The protocol is an EtherType.
 */
import { decodeEtherType } from './etherType.ts';
import { DecoderEvent } from './events.ts';
import type { Packet } from './packet.ts';

export const SLL_HEADER_BYTES = 16;
export const SLL2_HEADER_BYTES = 20;

export function decodeSll(p: Packet, off: number, end: number): void {
  if (end - off < SLL_HEADER_BYTES) {
    p.addEvent(DecoderEvent.sllPktTooSmall);
    return;
  }
  const b = p.data;
  decodeEtherType(p, (b[off + 14]! << 8) | b[off + 15]!, off + SLL_HEADER_BYTES, end);
}

export function decodeSll2(p: Packet, off: number, end: number): void {
  if (end - off < SLL2_HEADER_BYTES) {
    p.addEvent(DecoderEvent.sll2PktTooSmall);
    return;
  }
  const b = p.data;
  decodeEtherType(p, (b[off]! << 8) | b[off + 1]!, off + SLL2_HEADER_BYTES, end);
}
