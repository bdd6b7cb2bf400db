/**
 * The one value the decoders produce per captured frame. Fields are plain numbers with fixed
 * defaults so every Packet has the same shape (fast property access, no per-layer objects);
 * "absent" is -1 for numeric fields that can legitimately be 0. Offsets point into `data`.
 * Addresses are formatted on first read and cached: most packets never need their text form.
 */
import { formatIPv4, formatIPv6, formatMac } from './address.ts';
import type { DecoderEventName } from './events.ts';

export const PACKET_MAX_EVENTS = 16;

const NO_VLAN: readonly number[] = Object.freeze([]);
const NO_EVENTS: readonly DecoderEventName[] = Object.freeze([]);
const EMPTY = new Uint8Array(0);

export const TCP_FLAG = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10, URG: 0x20, ECE: 0x40, CWR: 0x80 } as const;

export class Packet {
  // Capture
  tsSec: number;
  tsNsec: number;
  linkType: number;
  interfaceId: number;
  /** The whole frame as captured (for a reassembled packet: the rebuilt IP datagram). Written
   *  only by the constructor and reset(). */
  data: Uint8Array;
  origLen: number;

  // Link layer
  /** Offset of the Ethernet header, -1 when the link has none. */
  ethOffset = -1;
  /** EtherType (or SLL protocol) of the network layer, 0 when unknown. */
  etherType = 0;
  /** 802.1Q/802.1ad VLAN ids, outermost first (EVE `vlan`). */
  vlan: readonly number[] = NO_VLAN;

  // Network layer
  /** 4, 6, or 0 when the frame carries no IP. */
  ipVersion = 0;
  l3Offset = -1;
  /** Offset just past IPv4 options / IPv6 extension headers (start of the L4 header). */
  l4Offset = -1;
  /** Transport protocol number (after IPv6 extension headers), -1 when there is no IP. */
  proto = -1;
  /** IPv4 TTL or IPv6 hop limit. */
  ttl = 0;
  /** IPv4 identification, or the IPv6 fragment header identification (0 when absent). */
  ipId = 0;
  /** IPv4 TOS or IPv6 traffic class. */
  tos = 0;
  ipv6FlowLabel = 0;
  /** IPv4 header length in bytes / IPv6 fixed + extension header bytes. */
  ipHeaderLength = 0;
  /** IPv4 total length / IPv6 40 + payload length. */
  ipTotalLength = 0;
  dontFragment = false;
  moreFragments = false;
  /** Fragment offset in bytes. */
  fragmentOffset = 0;
  /** True when this is one fragment of a larger datagram: no transport header was decoded. */
  isFragment = false;
  /** True when this packet is a datagram rebuilt from fragments. */
  isReassembled = false;
  /** For IPv6 fragments: offset in `data` of the fragment header and of the next-header byte that
   *  names it, so the defragmenter can rebuild the unfragmentable part. */
  ipv6FragHeaderOffset = -1;
  ipv6FragNextHeaderFieldOffset = -1;
  private srcAddrOffset = -1;
  private dstAddrOffset = -1;
  private srcText: string | null = null;
  private dstText: string | null = null;

  // Transport layer
  srcPort = 0;
  dstPort = 0;
  tcpFlags = 0;
  tcpSeq = 0;
  tcpAck = 0;
  tcpWindow = 0;
  tcpUrgentPointer = 0;
  tcpHeaderLength = 0;
  tcpMss = -1;
  tcpWindowScale = -1;
  tcpSackPermitted = false;
  /** Number of SACK blocks in the SACK option, 0 when absent. */
  tcpSackBlocks = 0;
  tcpTsVal = -1;
  tcpTsEcr = -1;
  udpLength = 0;
  icmpType = -1;
  icmpCode = -1;

  // ARP (Ethernet/IPv4 only)
  arpOp = 0;
  private arpOffset = -1;

  /** Application payload: the bytes after the deepest header decoded. */
  payload: Uint8Array = EMPTY;
  /** Anomalies found while decoding, in the order met. */
  events: readonly DecoderEventName[] = NO_EVENTS;
  /** The datagram this fragment completed, decoded; null otherwise. */
  reassembled: Packet | null = null;

  constructor(data: Uint8Array, linkType: number, tsSec: number, tsNsec: number, origLen: number, interfaceId: number) {
    this.data = data;
    this.linkType = linkType;
    this.tsSec = tsSec;
    this.tsNsec = tsNsec;
    this.origLen = origLen;
    this.interfaceId = interfaceId;
  }

  /**
   * Makes this object the undecoded packet of another frame, as the constructor would: the
   * pipeline decodes every frame into one Packet instead of allocating ~0.5 KB per packet. Every
   * field initialised above is set again (a test checks none is missed). Arrays are replaced, not
   * cleared, so a flow that took this packet's `vlan` keeps it.
   */
  reset(data: Uint8Array, linkType: number, tsSec: number, tsNsec: number, origLen: number, interfaceId: number): void {
    this.tsSec = tsSec;
    this.tsNsec = tsNsec;
    this.linkType = linkType;
    this.interfaceId = interfaceId;
    this.data = data;
    this.origLen = origLen;
    this.ethOffset = -1;
    this.etherType = 0;
    this.vlan = NO_VLAN;
    this.ipVersion = 0;
    this.l3Offset = -1;
    this.l4Offset = -1;
    this.proto = -1;
    this.ttl = 0;
    this.ipId = 0;
    this.tos = 0;
    this.ipv6FlowLabel = 0;
    this.ipHeaderLength = 0;
    this.ipTotalLength = 0;
    this.dontFragment = false;
    this.moreFragments = false;
    this.fragmentOffset = 0;
    this.isFragment = false;
    this.isReassembled = false;
    this.ipv6FragHeaderOffset = -1;
    this.ipv6FragNextHeaderFieldOffset = -1;
    this.srcAddrOffset = -1;
    this.dstAddrOffset = -1;
    this.srcText = null;
    this.dstText = null;
    this.srcPort = 0;
    this.dstPort = 0;
    this.tcpFlags = 0;
    this.tcpSeq = 0;
    this.tcpAck = 0;
    this.tcpWindow = 0;
    this.tcpUrgentPointer = 0;
    this.tcpHeaderLength = 0;
    this.tcpMss = -1;
    this.tcpWindowScale = -1;
    this.tcpSackPermitted = false;
    this.tcpSackBlocks = 0;
    this.tcpTsVal = -1;
    this.tcpTsEcr = -1;
    this.udpLength = 0;
    this.icmpType = -1;
    this.icmpCode = -1;
    this.arpOp = 0;
    this.arpOffset = -1;
    this.payload = EMPTY;
    this.events = NO_EVENTS;
    this.reassembled = null;
  }

  /** Records an anomaly once per packet; at most PACKET_MAX_EVENTS distinct ones (like Suricata's
   *  fixed event slots), so a header full of bad options cannot grow the list with its size. */
  addEvent(e: DecoderEventName): void {
    if (this.events === NO_EVENTS) {
      this.events = [e];
      return;
    }
    const list = this.events as DecoderEventName[];
    if (list.length < PACKET_MAX_EVENTS && !list.includes(e)) list.push(e);
  }

  addVlan(id: number): void {
    if (this.vlan === NO_VLAN) this.vlan = [id];
    else (this.vlan as number[]).push(id);
  }

  setAddresses(srcOffset: number, dstOffset: number): void {
    this.srcAddrOffset = srcOffset;
    this.dstAddrOffset = dstOffset;
    this.srcText = null;
    this.dstText = null;
  }

  /** Source IP in text form, '' when the packet carries no IP. */
  get srcIp(): string {
    if (this.srcText === null) this.srcText = this.formatIp(this.srcAddrOffset);
    return this.srcText;
  }

  get dstIp(): string {
    if (this.dstText === null) this.dstText = this.formatIp(this.dstAddrOffset);
    return this.dstText;
  }

  private formatIp(o: number): string {
    if (o < 0) return '';
    return this.ipVersion === 4 ? formatIPv4(this.data, o) : formatIPv6(this.data, o);
  }

  get srcMac(): string {
    return this.ethOffset < 0 ? '' : formatMac(this.data, this.ethOffset + 6);
  }

  get dstMac(): string {
    return this.ethOffset < 0 ? '' : formatMac(this.data, this.ethOffset);
  }

  setArp(offset: number, op: number): void {
    this.arpOffset = offset;
    this.arpOp = op;
  }

  /** ARP sender/target hardware and protocol addresses; '' unless an Ethernet/IPv4 ARP was decoded. */
  get arpSenderMac(): string {
    return this.arpOffset < 0 ? '' : formatMac(this.data, this.arpOffset + 8);
  }
  get arpSenderIp(): string {
    return this.arpOffset < 0 ? '' : formatIPv4(this.data, this.arpOffset + 14);
  }
  get arpTargetMac(): string {
    return this.arpOffset < 0 ? '' : formatMac(this.data, this.arpOffset + 18);
  }
  get arpTargetIp(): string {
    return this.arpOffset < 0 ? '' : formatIPv4(this.data, this.arpOffset + 24);
  }

  /** Offset in `data` of the source address (4 or 16 bytes, by ipVersion); -1 without IP. Lets
   *  per-packet code read the address without making a view. */
  get srcAddrAt(): number {
    return this.srcAddrOffset;
  }
  get dstAddrAt(): number {
    return this.dstAddrOffset;
  }

  /** Raw address bytes (4 or 16), a view into data; empty when there is no IP. */
  get srcAddrBytes(): Uint8Array {
    return this.addrBytes(this.srcAddrOffset);
  }
  get dstAddrBytes(): Uint8Array {
    return this.addrBytes(this.dstAddrOffset);
  }
  private addrBytes(o: number): Uint8Array {
    if (o < 0) return EMPTY;
    return this.data.subarray(o, o + (this.ipVersion === 4 ? 4 : 16));
  }
}
