/**
 * IP fragment reassembly for IPv4 and IPv6. Pure: state lives in the instance, time is the packet
 * timestamp passed in, nothing is logged.
 *
 * Datagrams are keyed by (version, source, destination, identification, protocol).
 * Overlap policy: first wins. Bytes already received are kept and a later fragment only fills
 * the gaps, the "BSD-like" behaviour Suricata defaults to; any overlap raises frag_overlap, since
 * overlapping fragments are an evasion signal whatever the policy.
 *
 * Limits (DefragLimits, defaults below): fragments per datagram, datagrams tracked, bytes held
 * across all datagrams, and a timeout from the datagram's first fragment. A fragment past the
 * per-datagram cap is dropped (frag_ignored); when the table or byte budget is full the oldest
 * datagrams are evicted. Every drop, eviction and timeout is counted in `stats`.
 */
import { DecoderEvent } from './events.ts';
import type { Packet } from './packet.ts';

export interface DefragLimits {
  /** Seconds after a datagram's first fragment before it is abandoned. */
  timeoutSec: number;
  maxFragmentsPerDatagram: number;
  maxDatagrams: number;
  /** Fragment payload bytes held across all datagrams. */
  maxBytes: number;
}

export const DEFAULT_DEFRAG_LIMITS: DefragLimits = {
  timeoutSec: 60,
  maxFragmentsPerDatagram: 256,
  maxDatagrams: 4096,
  maxBytes: 32 * 1024 * 1024,
};

/** Largest reassembled IP payload: the 16-bit length/offset fields cannot describe more. */
const MAX_IP_PAYLOAD = 65_535;

export interface DefragStats {
  fragments: number;
  reassembled: number;
  overlaps: number;
  /** Fragments refused (beyond the per-datagram cap, or too large). */
  dropped: number;
  /** Datagrams abandoned to make room. */
  evicted: number;
  /** Datagrams abandoned because they did not complete in time. */
  timedOut: number;
}

interface Piece {
  start: number;
  end: number;
  data: Uint8Array;
}

interface Datagram {
  firstSeenSec: number;
  pieces: Piece[];
  bytes: number;
  /** Payload length, known once the last fragment (MF clear) arrives; -1 until then. */
  totalLength: number;
  /** Header bytes to prepend: the IPv4 header or the IPv6 unfragmentable part, from offset 0. */
  header: Uint8Array | null;
  /** Index in `header` of the byte to rewrite with the fragment's next header (IPv6), else -1. */
  nextHeaderIndex: number;
  nextHeader: number;
}

export class Defragmenter {
  readonly limits: DefragLimits;
  readonly stats: DefragStats = { fragments: 0, reassembled: 0, overlaps: 0, dropped: 0, evicted: 0, timedOut: 0 };
  /** Insertion order is first-fragment order, which makes expiry and eviction a scan from the front. */
  private readonly datagrams = new Map<string, Datagram>();
  private bytesHeld = 0;

  constructor(limits: Partial<DefragLimits> = {}) {
    this.limits = { ...DEFAULT_DEFRAG_LIMITS, ...limits };
  }

  get datagramsTracked(): number {
    return this.datagrams.size;
  }

  get bytesTracked(): number {
    return this.bytesHeld;
  }

  /**
   * Adds a decoded fragment. Returns the rebuilt IP datagram (header + payload, fragment fields
   * cleared) when this fragment completes one, else null. Events go onto the fragment's Packet.
   */
  add(p: Packet): Uint8Array | null {
    if (!p.isFragment) return null;
    const v4 = p.ipVersion === 4;
    this.stats.fragments++;
    const now = p.tsSec;
    this.expire(now);
    const start = p.fragmentOffset;
    const payload = p.payload;
    const end = start + payload.length;
    if (end > MAX_IP_PAYLOAD) {
      this.stats.dropped++;
      p.addEvent(v4 ? DecoderEvent.ipv4FragPktTooLarge : DecoderEvent.ipv6FragPktTooLarge);
      return null;
    }
    const key = `${p.ipVersion}|${p.srcIp}|${p.dstIp}|${p.ipId}|${p.proto}`;
    let d = this.datagrams.get(key);
    if (d === undefined) {
      d = { firstSeenSec: now, pieces: [], bytes: 0, totalLength: -1, header: null, nextHeaderIndex: -1, nextHeader: p.proto };
      this.makeRoom(payload.length);
      this.datagrams.set(key, d);
    } else if (d.pieces.length >= this.limits.maxFragmentsPerDatagram) {
      this.stats.dropped++;
      p.addEvent(v4 ? DecoderEvent.ipv4FragIgnored : DecoderEvent.ipv6FragIgnored);
      return null;
    } else {
      this.makeRoom(payload.length, d);
    }
    for (const piece of d.pieces) {
      if (start < piece.end && piece.start < end) {
        this.stats.overlaps++;
        p.addEvent(v4 ? DecoderEvent.ipv4FragOverlap : DecoderEvent.ipv6FragOverlap);
        break;
      }
    }
    // Copied: a view would pin the whole capture chunk it points into for as long as we wait.
    d.pieces.push({ start, end, data: payload.slice() });
    d.bytes += payload.length;
    this.bytesHeld += payload.length;
    if (!p.moreFragments && d.totalLength < 0) d.totalLength = end;
    if (start === 0 && d.header === null) this.takeHeader(p, d);
    if (d.totalLength < 0 || d.header === null) return null;
    const datagram = this.assemble(d);
    if (datagram === null) return null;
    this.forget(key, d);
    this.stats.reassembled++;
    return datagram;
  }

  private takeHeader(p: Packet, d: Datagram): void {
    const b = p.data;
    if (p.ipVersion === 4) {
      d.header = b.slice(p.l3Offset, p.l3Offset + p.ipHeaderLength);
      return;
    }
    // The unfragmentable part: fixed header and the extension headers before the fragment header.
    d.header = b.slice(p.l3Offset, p.ipv6FragHeaderOffset);
    d.nextHeaderIndex = p.ipv6FragNextHeaderFieldOffset - p.l3Offset;
    d.nextHeader = b[p.ipv6FragHeaderOffset]!;
  }

  /** Builds the datagram if the pieces cover [0, totalLength) without a gap; null otherwise. */
  private assemble(d: Datagram): Uint8Array | null {
    const sorted = [...d.pieces].sort((a, b) => a.start - b.start);
    let covered = 0;
    for (const piece of sorted) {
      if (piece.start > covered) return null;
      if (piece.end > covered) covered = piece.end;
    }
    if (covered < d.totalLength) return null;
    const header = d.header!;
    const total = header.length + d.totalLength;
    if (total > (header[0]! >> 4 === 4 ? MAX_IP_PAYLOAD : MAX_IP_PAYLOAD + 40)) return null;
    const out = new Uint8Array(total);
    out.set(header, 0);
    // Later arrivals first, so the earliest bytes are written last and win (first-wins policy).
    for (let i = d.pieces.length - 1; i >= 0; i--) {
      const piece = d.pieces[i]!;
      const room = d.totalLength - piece.start;
      if (room <= 0) continue;
      out.set(piece.data.subarray(0, Math.min(piece.data.length, room)), header.length + piece.start);
    }
    if (header[0]! >> 4 === 4) {
      out[2] = total >> 8;
      out[3] = total & 0xff;
      out[6] = out[6]! & 0x40; // keep DF, clear MF and the offset
      out[7] = 0;
    } else {
      const payloadLength = total - 40;
      out[4] = payloadLength >> 8;
      out[5] = payloadLength & 0xff;
      out[d.nextHeaderIndex] = d.nextHeader;
    }
    return out;
  }

  private expire(now: number): void {
    for (const [key, d] of this.datagrams) {
      if (now - d.firstSeenSec < this.limits.timeoutSec) break;
      this.forget(key, d);
      this.stats.timedOut++;
    }
  }

  /** Evicts the oldest datagrams (never `keep`) until one more datagram and `bytes` fit. */
  private makeRoom(bytes: number, keep?: Datagram): void {
    for (const [key, d] of this.datagrams) {
      const full = keep === undefined && this.datagrams.size >= this.limits.maxDatagrams;
      if (!full && this.bytesHeld + bytes <= this.limits.maxBytes) return;
      if (d === keep) continue;
      this.forget(key, d);
      this.stats.evicted++;
    }
  }

  private forget(key: string, d: Datagram): void {
    this.datagrams.delete(key);
    this.bytesHeld -= d.bytes;
  }
}
