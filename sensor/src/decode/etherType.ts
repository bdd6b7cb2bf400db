/**
 * Hands the bytes after a link header to the network layer named by its EtherType. Shared by
 * Ethernet, VLAN and Linux cooked captures.
 */
import { decodeArp } from './arp.ts';
import { decodeIPv4 } from './ipv4.ts';
import { decodeIPv6 } from './ipv6.ts';
import { EtherType } from './linkTypes.ts';
import type { Packet } from './packet.ts';
import { decodePppoeSession } from './pppoe.ts';
import { decodeVlan } from './vlan.ts';

/** Returns false when the EtherType is not one we decode (the caller may raise its own event). */
export function decodeEtherType(p: Packet, etherType: number, off: number, end: number): boolean {
  p.etherType = etherType;
  switch (etherType) {
    case EtherType.IPV4:
      decodeIPv4(p, off, end);
      return true;
    case EtherType.IPV6:
      decodeIPv6(p, off, end);
      return true;
    case EtherType.ARP:
      decodeArp(p, off, end);
      return true;
    case EtherType.VLAN:
    case EtherType.QINQ:
    case EtherType.QINQ_LEGACY:
      decodeVlan(p, off, end);
      return true;
    case EtherType.PPPOE_SESSION:
      decodePppoeSession(p, off, end);
      return true;
    case EtherType.PPPOE_DISCOVERY:
      p.payload = p.data.subarray(off, end);
      return true;
    default:
      p.payload = p.data.subarray(off, end);
      return false;
  }
}
