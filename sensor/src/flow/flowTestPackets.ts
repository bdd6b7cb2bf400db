/**
 * Decoded packets for the flow tests, built with the testing/ builders and the real decoder so the
 * tests see exactly what the pipeline will.
 */
import { PacketDecoder } from '../decode/decoder.ts';
import type { Packet } from '../decode/packet.ts';
import { capturedPacket, ethernet, icmp, ipv4, ipv6, tcp, udp } from '../testing/pcapWriter.ts';

const decoder = new PacketDecoder(null);

export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const PSH = 0x08;
export const ACK = 0x10;

export interface Endpoints {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  vlan?: number[];
}

function ip(src: string, dst: string, proto: number, l4: Uint8Array): { etherType: number; bytes: Uint8Array } {
  if (src.includes(':')) return { etherType: 0x86dd, bytes: ipv6({ src, dst, nextHeader: proto }, l4) };
  return { etherType: 0x0800, bytes: ipv4({ src, dst, proto }, l4) };
}

function frame(e: Endpoints, proto: number, l4: Uint8Array, tsSec: number, tsNsec: number): Packet {
  const { etherType, bytes } = ip(e.src, e.dst, proto, l4);
  const data = ethernet({ etherType, vlan: e.vlan ?? [] }, bytes);
  return decoder.decode(capturedPacket(data, 1, tsSec, tsNsec));
}

export function tcpPacket(e: Endpoints, flags: number, seq: number, ack: number, payload: string | Uint8Array = '', tsSec = 1000, tsNsec = 0): Packet {
  return frame(e, 6, tcp({ srcPort: e.sport, dstPort: e.dport, seq, ack, flags }, payload), tsSec, tsNsec);
}

export function udpPacket(e: Endpoints, payload: string | Uint8Array, tsSec = 1000, tsNsec = 0): Packet {
  return frame(e, 17, udp({ srcPort: e.sport, dstPort: e.dport }, payload), tsSec, tsNsec);
}

/** `rest`: the bytes after type, code and checksum (4 unused/id bytes, then any quoted packet). */
export function icmpPacket(src: string, dst: string, type: number, code: number, tsSec = 1000, tsNsec = 0, rest: Uint8Array = new Uint8Array(4)): Packet {
  return frame({ src, dst, sport: 0, dport: 0 }, src.includes(':') ? 58 : 1, icmp(type, code, rest), tsSec, tsNsec);
}

/** ICMPv4 destination unreachable quoting the first 28 bytes of a TCP packet from `quoted`. */
export function icmpUnreachableFor(router: string, quoted: Endpoints, tsSec = 1000): Packet {
  const inner = ipv4({ src: quoted.src, dst: quoted.dst, proto: 6 }, tcp({ srcPort: quoted.sport, dstPort: quoted.dport, seq: 1, flags: SYN }));
  const rest = new Uint8Array(4 + 28);
  rest.set(inner.subarray(0, 28), 4);
  return icmpPacket(router, quoted.src, 3, 3, tsSec, 0, rest);
}

export function reverse(e: Endpoints): Endpoints {
  return { src: e.dst, dst: e.src, sport: e.dport, dport: e.sport, vlan: e.vlan };
}
