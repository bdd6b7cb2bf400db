/** Hands an IP payload to the transport decoder for its protocol number. Protocols we do not
 *  decode keep the whole IP payload as the packet payload. */
import { decodeIcmpv4 } from './icmpv4.ts';
import { decodeIcmpv6 } from './icmpv6.ts';
import { IpProto } from './linkTypes.ts';
import type { Packet } from './packet.ts';
import { decodeTcp } from './tcp.ts';
import { decodeUdp } from './udp.ts';

export function decodeTransport(p: Packet, proto: number, off: number, end: number): void {
  switch (proto) {
    case IpProto.TCP:
      decodeTcp(p, off, end);
      return;
    case IpProto.UDP:
      decodeUdp(p, off, end);
      return;
    case IpProto.ICMP:
      decodeIcmpv4(p, off, end);
      return;
    case IpProto.ICMPV6:
      decodeIcmpv6(p, off, end);
      return;
    default:
      p.payload = p.data.subarray(off, end);
  }
}
