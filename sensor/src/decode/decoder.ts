/**
 * Entry point of the decode layer: one CapturedPacket in, one Packet out. Dispatches on the link
 * type, then, for IP fragments, feeds the Defragmenter and decodes any datagram it completes into
 * `packet.reassembled` (with the fragment's timestamp and VLANs).
 */
import type { CapturedPacket } from '../capture/capturedPacket.ts';
import { Defragmenter } from './defrag.ts';
import { decodeEthernet } from './ethernet.ts';
import { DecoderEvent } from './events.ts';
import { LinkType } from './linkTypes.ts';
import { decodeLoopback } from './loopback.ts';
import { Packet } from './packet.ts';
import { decodeRawIp } from './rawIp.ts';
import { decodeSll, decodeSll2 } from './sll.ts';

/** Decodes one frame of the given link type; no reassembly. */
export function decodeFrame(p: Packet): Packet {
  const end = p.data.length;
  switch (p.linkType) {
    case LinkType.ETHERNET:
      decodeEthernet(p, 0, end);
      break;
    case LinkType.LINUX_SLL:
      decodeSll(p, 0, end);
      break;
    case LinkType.LINUX_SLL2:
      decodeSll2(p, 0, end);
      break;
    case LinkType.RAW:
    case LinkType.RAW_DLT12:
    case LinkType.RAW_DLT14:
    case LinkType.IPV4:
    case LinkType.IPV6:
      decodeRawIp(p, 0, end);
      break;
    case LinkType.NULL:
    case LinkType.LOOP:
      decodeLoopback(p, 0, end);
      break;
    default:
      p.addEvent(DecoderEvent.linkUnsupportedType);
  }
  return p;
}

export class PacketDecoder {
  /** null disables reassembly: fragments are returned as they are. */
  constructor(readonly defrag: Defragmenter | null = new Defragmenter()) {}

  /** Decodes `c` into a new Packet, or into `into` (reset first) when the caller keeps nothing of
   *  the previous packet it held there. A datagram completed from fragments is always new. */
  decode(c: CapturedPacket, into?: Packet): Packet {
    let fresh: Packet;
    if (into === undefined) fresh = new Packet(c.data, c.linkType, c.tsSec, c.tsNsec, c.origLen, c.interfaceId);
    else {
      into.reset(c.data, c.linkType, c.tsSec, c.tsNsec, c.origLen, c.interfaceId);
      fresh = into;
    }
    const p = decodeFrame(fresh);
    if (p.isFragment && this.defrag !== null) {
      const datagram = this.defrag.add(p);
      if (datagram !== null) {
        const r = new Packet(datagram, LinkType.RAW, p.tsSec, p.tsNsec, datagram.length, p.interfaceId);
        r.isReassembled = true;
        for (const id of p.vlan) r.addVlan(id);
        decodeRawIp(r, 0, datagram.length);
        p.reassembled = r;
      }
    }
    return p;
  }
}
