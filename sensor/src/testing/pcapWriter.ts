/**
 * Builds capture files and packets in memory, so tests and fixtures need no external files.
 *
 * Writers: writePcap (classic, µs or ns, either byte order) and writePcapng (one or more sections,
 * any number of interfaces with their own link type and if_tsresol, EPB or SPB, either byte order).
 * Builders: ethernet (with VLAN tags), ipv4, ipv6 (with raw extension headers), tcp (and
 * tcpSynOptions), udp, icmp (v4 or v6), arp, plus fragmentIPv4 / fragmentIPv6; capturedPacket wraps
 * bytes for feeding a decoder directly. IP builders fill in the IPv4 header checksum and
 * the TCP/UDP/ICMP checksum (when left 0), so the packets also pass tools that validate checksums.
 */

import type { CapturedPacket } from '../capture/capturedPacket.ts';

export interface PacketRecord {
  data: Uint8Array;
  tsSec?: number;
  tsNsec?: number;
  /** Defaults to data.length. */
  origLen?: number;
  /** pcapng only; defaults to 0. */
  interfaceId?: number;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Growable little helper for writing integers in a chosen byte order. */
class ByteWriter {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  length = 0;
  constructor(private readonly littleEndian: boolean) {}

  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number): this {
    this.ensure(1);
    this.view.setUint8(this.length, v);
    this.length += 1;
    return this;
  }
  u16(v: number): this {
    this.ensure(2);
    this.view.setUint16(this.length, v, this.littleEndian);
    this.length += 2;
    return this;
  }
  u32(v: number): this {
    this.ensure(4);
    this.view.setUint32(this.length, v >>> 0, this.littleEndian);
    this.length += 4;
    return this;
  }
  i32(v: number): this {
    this.ensure(4);
    this.view.setInt32(this.length, v, this.littleEndian);
    this.length += 4;
    return this;
  }
  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }
  pad4(): this {
    while (this.length % 4 !== 0) this.u8(0);
    return this;
  }
  setU32(at: number, v: number): void {
    this.view.setUint32(at, v >>> 0, this.littleEndian);
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

export interface PcapOptions {
  linkType?: number;
  nanosecond?: boolean;
  /** Defaults to true (what x86 tcpdump writes). */
  littleEndian?: boolean;
  snaplen?: number;
}

export function writePcap(packets: readonly PacketRecord[], options: PcapOptions = {}): Uint8Array {
  const w = new ByteWriter(options.littleEndian ?? true);
  w.u32(options.nanosecond ? 0xa1b23c4d : 0xa1b2c3d4).u16(2).u16(4).i32(0).u32(0);
  w.u32(options.snaplen ?? 262_144).u32(options.linkType ?? 1);
  for (const p of packets) {
    const frac = options.nanosecond ? (p.tsNsec ?? 0) : Math.floor((p.tsNsec ?? 0) / 1000);
    w.u32(p.tsSec ?? 0).u32(frac).u32(p.data.length).u32(p.origLen ?? p.data.length).bytes(p.data);
  }
  return w.result();
}

export interface PcapngInterface {
  linkType: number;
  snaplen?: number;
  /** if_tsresol byte: 6 = µs (default), 9 = ns, 0x80|n = 2^-n. */
  tsresol?: number;
}

export interface PcapngSectionOptions {
  interfaces?: readonly PcapngInterface[];
  littleEndian?: boolean;
  /** Write Simple Packet Blocks (no timestamp, interface 0) instead of Enhanced Packet Blocks. */
  simple?: boolean;
  /** Extra raw blocks (already framed) to put after the interfaces, e.g. unknown block types. */
  extraBlocks?: readonly Uint8Array[];
}

function block(w: ByteWriter, type: number, body: (w: ByteWriter) => void): void {
  const start = w.length;
  w.u32(type).u32(0);
  body(w);
  w.pad4();
  const total = w.length - start + 4;
  w.u32(total);
  w.setU32(start + 4, total);
}

/** Converts seconds + nanoseconds into a count of if_tsresol units. */
function tsUnits(sec: number, nsec: number, tsresol: number): bigint {
  const pow2 = (tsresol & 0x80) !== 0;
  const units = pow2 ? 1n << BigInt(tsresol & 0x7f) : 10n ** BigInt(tsresol & 0x7f);
  return BigInt(sec) * units + (BigInt(nsec) * units) / 1_000_000_000n;
}

/** One pcapng section: SHB, IDBs, then the packets (EPB or SPB). Concatenate sections for more. */
export function writePcapngSection(packets: readonly PacketRecord[], options: PcapngSectionOptions = {}): Uint8Array {
  const le = options.littleEndian ?? true;
  const w = new ByteWriter(le);
  const interfaces = options.interfaces ?? [{ linkType: 1 }];
  block(w, 0x0a0d0d0a, (b) => {
    b.u32(0x1a2b3c4d).u16(1).u16(0).u32(0xffffffff).u32(0xffffffff);
  });
  for (const itf of interfaces) {
    block(w, 1, (b) => {
      b.u16(itf.linkType).u16(0).u32(itf.snaplen ?? 262_144);
      if (itf.tsresol !== undefined) {
        b.u16(9).u16(1).u8(itf.tsresol).pad4();
        b.u16(0).u16(0);
      }
    });
  }
  for (const extra of options.extraBlocks ?? []) w.bytes(extra);
  for (const p of packets) {
    if (options.simple) {
      block(w, 3, (b) => {
        b.u32(p.origLen ?? p.data.length).bytes(p.data);
      });
      continue;
    }
    const ifId = p.interfaceId ?? 0;
    const ts = tsUnits(p.tsSec ?? 0, p.tsNsec ?? 0, interfaces[ifId]?.tsresol ?? 6);
    block(w, 6, (b) => {
      b.u32(ifId).u32(Number(ts >> 32n)).u32(Number(ts & 0xffffffffn));
      b.u32(p.data.length).u32(p.origLen ?? p.data.length).bytes(p.data);
    });
  }
  return w.result();
}

export function writePcapng(packets: readonly PacketRecord[], options: PcapngSectionOptions = {}): Uint8Array {
  return writePcapngSection(packets, options);
}

/** A framed pcapng block of any type with the given body (padded), in the given byte order. */
export function pcapngBlock(type: number, body: Uint8Array, littleEndian = true): Uint8Array {
  const w = new ByteWriter(littleEndian);
  block(w, type, (b) => {
    b.bytes(body);
  });
  return w.result();
}

// ---------------------------------------------------------------------------------------------
// Addresses

export function parseMac(text: string): Uint8Array {
  const parts = text.split(':');
  if (parts.length !== 6) throw new Error(`bad MAC address: ${text}`);
  return Uint8Array.from(parts, (h) => parseInt(h, 16));
}

export function parseIPv4(text: string): Uint8Array {
  const parts = text.split('.').map(Number);
  if (parts.length !== 4 || parts.some((n) => !Number.isInteger(n) || n < 0 || n > 255)) {
    throw new Error(`bad IPv4 address: ${text}`);
  }
  return Uint8Array.from(parts);
}

export function parseIPv6(text: string): Uint8Array {
  const out = new Uint8Array(16);
  let head = text;
  let tail = '';
  const dbl = text.indexOf('::');
  if (dbl >= 0) {
    head = text.slice(0, dbl);
    tail = text.slice(dbl + 2);
  }
  const groups = (s: string): number[] => {
    if (s === '') return [];
    const out: number[] = [];
    for (const part of s.split(':')) {
      if (part.includes('.')) {
        const v4 = parseIPv4(part);
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else out.push(parseInt(part, 16));
    }
    return out;
  };
  const h = groups(head);
  const t = groups(tail);
  if (dbl < 0 ? h.length !== 8 : h.length + t.length > 7) throw new Error(`bad IPv6 address: ${text}`);
  h.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  t.forEach((g, i) => {
    const j = 8 - t.length + i;
    out[2 * j] = g >> 8;
    out[2 * j + 1] = g & 0xff;
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Packet builders

const ENC = new TextEncoder();
export function bytesOf(payload: Uint8Array | string | undefined): Uint8Array {
  if (payload === undefined) return new Uint8Array(0);
  return typeof payload === 'string' ? ENC.encode(payload) : payload;
}

export interface EthernetOptions {
  src?: string;
  dst?: string;
  etherType: number;
  /** VLAN ids, outermost first; the outermost uses `vlanTpid` (0x8100 by default). */
  vlan?: readonly number[];
  vlanTpid?: number;
}

export function ethernet(o: EthernetOptions, payload?: Uint8Array | string): Uint8Array {
  const body = bytesOf(payload);
  const vlan = o.vlan ?? [];
  const out = new Uint8Array(14 + 4 * vlan.length + body.length);
  out.set(parseMac(o.dst ?? '00:00:5e:00:53:02'), 0);
  out.set(parseMac(o.src ?? '00:00:5e:00:53:01'), 6);
  let p = 12;
  vlan.forEach((id, i) => {
    const tpid = i === 0 ? (o.vlanTpid ?? 0x8100) : 0x8100;
    out[p] = tpid >> 8;
    out[p + 1] = tpid & 0xff;
    out[p + 2] = (id >> 8) & 0x0f;
    out[p + 3] = id & 0xff;
    p += 4;
  });
  out[p] = o.etherType >> 8;
  out[p + 1] = o.etherType & 0xff;
  out.set(body, p + 2);
  return out;
}

function onesComplementSum(parts: readonly Uint8Array[]): number {
  let sum = 0;
  for (const b of parts) {
    for (let i = 0; i + 1 < b.length; i += 2) sum += (b[i]! << 8) | b[i + 1]!;
    if (b.length % 2 === 1) sum += b[b.length - 1]! << 8;
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Offset of the checksum field for transports whose checksum we fill in. */
function checksumOffset(proto: number): number {
  return proto === 6 ? 16 : proto === 17 ? 6 : proto === 1 || proto === 58 ? 2 : -1;
}

function fillL4Checksum(proto: number, l4: Uint8Array, pseudo: Uint8Array | null): void {
  const at = checksumOffset(proto);
  if (at < 0 || l4.length < at + 2 || l4[at] !== 0 || l4[at + 1] !== 0) return;
  const sum = onesComplementSum(pseudo === null ? [l4] : [pseudo, l4]);
  l4[at] = sum >> 8;
  l4[at + 1] = sum & 0xff;
}

export interface IPv4Options {
  src: string;
  dst: string;
  proto: number;
  ttl?: number;
  id?: number;
  tos?: number;
  dontFragment?: boolean;
  moreFragments?: boolean;
  /** In bytes; must be a multiple of 8. */
  fragmentOffset?: number;
  /** Raw option bytes, padded to 4 by the builder. */
  options?: Uint8Array;
  /** Skip filling the transport checksum (e.g. for a fragment). */
  noL4Checksum?: boolean;
}

export function ipv4(o: IPv4Options, payload?: Uint8Array | string): Uint8Array {
  const body = bytesOf(payload).slice();
  const opts = o.options ?? new Uint8Array(0);
  const optLen = (opts.length + 3) & ~3;
  const hlen = 20 + optLen;
  const out = new Uint8Array(hlen + body.length);
  const src = parseIPv4(o.src);
  const dst = parseIPv4(o.dst);
  out[0] = 0x40 | (hlen >> 2);
  out[1] = o.tos ?? 0;
  out[2] = out.length >> 8;
  out[3] = out.length & 0xff;
  const id = o.id ?? 1;
  out[4] = id >> 8;
  out[5] = id & 0xff;
  const fo = ((o.fragmentOffset ?? 0) >> 3) | (o.dontFragment ? 0x4000 : 0) | (o.moreFragments ? 0x2000 : 0);
  out[6] = fo >> 8;
  out[7] = fo & 0xff;
  out[8] = o.ttl ?? 64;
  out[9] = o.proto;
  out.set(src, 12);
  out.set(dst, 16);
  out.set(opts, 20);
  const sum = onesComplementSum([out.subarray(0, hlen)]);
  out[10] = sum >> 8;
  out[11] = sum & 0xff;
  if (!o.noL4Checksum && !o.moreFragments && !o.fragmentOffset) {
    const pseudo = new Uint8Array(12);
    pseudo.set(src, 0);
    pseudo.set(dst, 4);
    pseudo[9] = o.proto;
    pseudo[10] = body.length >> 8;
    pseudo[11] = body.length & 0xff;
    fillL4Checksum(o.proto, body, o.proto === 1 ? null : pseudo);
  }
  out.set(body, hlen);
  return out;
}

export interface IPv6ExtensionHeader {
  /** 0 hop-by-hop, 43 routing, 60 destination options, 44 fragment, 51 AH. */
  type: number;
  /** Header bytes after next-header (and length) fields; padded by the builder. */
  body?: Uint8Array;
}

export interface IPv6Options {
  src: string;
  dst: string;
  nextHeader: number;
  hopLimit?: number;
  trafficClass?: number;
  flowLabel?: number;
  extensionHeaders?: readonly IPv6ExtensionHeader[];
  noL4Checksum?: boolean;
}

/** Bodies that decode without events: hop-by-hop carries a router alert, destination options a
 *  home address, so neither is "only padding". */
function defaultExtensionBody(type: number): Uint8Array {
  if (type === 0) return Uint8Array.from([0x05, 2, 0, 0, 0, 0]);
  if (type === 60) return Uint8Array.from([0xc9, 16, 0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), 0x99, 1, 2, 0, 0]);
  if (type === 51) return new Uint8Array(10);
  return new Uint8Array(6);
}

function extensionHeader(h: IPv6ExtensionHeader, next: number): Uint8Array {
  const body = h.body ?? defaultExtensionBody(h.type);
  if (h.type === 44) {
    const out = new Uint8Array(8);
    out[0] = next;
    out.set(body.subarray(0, 7), 1);
    return out;
  }
  if (h.type === 51) {
    const len = (2 + body.length + 3) & ~3;
    const out = new Uint8Array(len);
    out[0] = next;
    out[1] = len / 4 - 2;
    out.set(body, 2);
    return out;
  }
  const len = (2 + body.length + 7) & ~7;
  const out = new Uint8Array(len);
  out[0] = next;
  out[1] = len / 8 - 1;
  out.set(body, 2);
  return out;
}

export function ipv6(o: IPv6Options, payload?: Uint8Array | string): Uint8Array {
  const body = bytesOf(payload).slice();
  const ext = o.extensionHeaders ?? [];
  const framed: Uint8Array[] = ext.map((h, i) => extensionHeader(h, i + 1 < ext.length ? ext[i + 1]!.type : o.nextHeader));
  const extBytes = concatBytes(framed);
  const src = parseIPv6(o.src);
  const dst = parseIPv6(o.dst);
  const hasFragment = ext.some((h) => h.type === 44);
  if (!o.noL4Checksum && !hasFragment) {
    const pseudo = new Uint8Array(40);
    pseudo.set(src, 0);
    pseudo.set(dst, 16);
    pseudo[34] = body.length >> 8;
    pseudo[35] = body.length & 0xff;
    pseudo[39] = o.nextHeader;
    fillL4Checksum(o.nextHeader, body, pseudo);
  }
  const out = new Uint8Array(40 + extBytes.length + body.length);
  const tc = o.trafficClass ?? 0;
  const fl = o.flowLabel ?? 0;
  out[0] = 0x60 | (tc >> 4);
  out[1] = ((tc & 0x0f) << 4) | ((fl >> 16) & 0x0f);
  out[2] = (fl >> 8) & 0xff;
  out[3] = fl & 0xff;
  const plen = extBytes.length + body.length;
  out[4] = plen >> 8;
  out[5] = plen & 0xff;
  out[6] = ext.length > 0 ? ext[0]!.type : o.nextHeader;
  out[7] = o.hopLimit ?? 64;
  out.set(src, 8);
  out.set(dst, 24);
  out.set(extBytes, 40);
  out.set(body, 40 + extBytes.length);
  return out;
}

export interface TcpOptions {
  srcPort: number;
  dstPort: number;
  seq?: number;
  ack?: number;
  /** TCP_FLAG bits; defaults to ACK|PSH when there is payload, else SYN. */
  flags?: number;
  window?: number;
  urgentPointer?: number;
  /** Raw option bytes, padded with zeros (EOL) to a multiple of 4. */
  options?: Uint8Array;
}

export function tcp(o: TcpOptions, payload?: Uint8Array | string): Uint8Array {
  const body = bytesOf(payload);
  const opts = o.options ?? new Uint8Array(0);
  const hlen = 20 + ((opts.length + 3) & ~3);
  const out = new Uint8Array(hlen + body.length);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, o.srcPort);
  dv.setUint16(2, o.dstPort);
  dv.setUint32(4, (o.seq ?? 1) >>> 0);
  dv.setUint32(8, (o.ack ?? 0) >>> 0);
  out[12] = (hlen >> 2) << 4;
  out[13] = o.flags ?? (body.length > 0 ? 0x18 : 0x02);
  dv.setUint16(14, o.window ?? 65535);
  dv.setUint16(18, o.urgentPointer ?? 0);
  out.set(opts, 20);
  out.set(body, hlen);
  return out;
}

/** TCP option bytes: MSS, window scale, SACK-permitted and timestamps, as in a typical SYN. */
export function tcpSynOptions(o: { mss?: number; wscale?: number; sackPermitted?: boolean; tsVal?: number; tsEcr?: number }): Uint8Array {
  const parts: number[] = [];
  if (o.mss !== undefined) parts.push(2, 4, o.mss >> 8, o.mss & 0xff);
  if (o.sackPermitted) parts.push(4, 2);
  if (o.tsVal !== undefined) {
    const v = o.tsVal >>> 0;
    const e = (o.tsEcr ?? 0) >>> 0;
    parts.push(8, 10, v >>> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff, e >>> 24, (e >> 16) & 0xff, (e >> 8) & 0xff, e & 0xff);
  }
  if (o.wscale !== undefined) parts.push(1, 3, 3, o.wscale);
  return Uint8Array.from(parts);
}

export function udp(o: { srcPort: number; dstPort: number }, payload?: Uint8Array | string): Uint8Array {
  const body = bytesOf(payload);
  const out = new Uint8Array(8 + body.length);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, o.srcPort);
  dv.setUint16(2, o.dstPort);
  dv.setUint16(4, out.length);
  out.set(body, 8);
  return out;
}

/** ICMPv4 or ICMPv6 message: type, code, checksum (filled by the IP builder), then `rest`. */
export function icmp(type: number, code: number, rest?: Uint8Array | string): Uint8Array {
  const body = bytesOf(rest);
  const out = new Uint8Array(4 + body.length);
  out[0] = type;
  out[1] = code;
  out.set(body, 4);
  return out;
}

export function arp(o: { op: number; senderMac: string; senderIp: string; targetMac: string; targetIp: string }): Uint8Array {
  const out = new Uint8Array(28);
  out.set([0, 1, 8, 0, 6, 4, 0, o.op], 0);
  out.set(parseMac(o.senderMac), 8);
  out.set(parseIPv4(o.senderIp), 14);
  out.set(parseMac(o.targetMac), 18);
  out.set(parseIPv4(o.targetIp), 24);
  return out;
}

/**
 * Splits a transport payload (already built, e.g. by tcp()) into IPv4 fragments of at most
 * `size` payload bytes (rounded down to a multiple of 8).
 */
export function fragmentIPv4(o: Omit<IPv4Options, 'moreFragments' | 'fragmentOffset'>, l4: Uint8Array, size: number): Uint8Array[] {
  const whole = ipv4(o, l4);
  const hlen = (whole[0]! & 0x0f) << 2;
  const payload = whole.subarray(hlen);
  const step = Math.max(8, size & ~7);
  const out: Uint8Array[] = [];
  for (let off = 0; off < payload.length; off += step) {
    const part = payload.subarray(off, Math.min(off + step, payload.length));
    out.push(ipv4({ ...o, fragmentOffset: off, moreFragments: off + step < payload.length, noL4Checksum: true }, part));
  }
  return out;
}

/** Splits a transport payload into IPv6 fragments (fragment header, identification `id`). */
export function fragmentIPv6(o: Omit<IPv6Options, 'extensionHeaders'>, l4: Uint8Array, size: number, id: number): Uint8Array[] {
  const whole = ipv6(o, l4);
  const payload = whole.subarray(40);
  const step = Math.max(8, size & ~7);
  const out: Uint8Array[] = [];
  for (let off = 0; off < payload.length; off += step) {
    const part = payload.subarray(off, Math.min(off + step, payload.length));
    const more = off + step < payload.length;
    const fo = off | (more ? 1 : 0);
    const body = Uint8Array.from([0, fo >> 8, fo & 0xff, id >>> 24, (id >> 16) & 0xff, (id >> 8) & 0xff, id & 0xff]);
    out.push(ipv6({ ...o, extensionHeaders: [{ type: 44, body }], noL4Checksum: true }, part));
  }
  return out;
}

/** Wraps bytes as a CapturedPacket, for feeding decoders directly without a file. */
export function capturedPacket(data: Uint8Array, linkType = 1, tsSec = 0, tsNsec = 0): CapturedPacket {
  return { data, linkType, tsSec, tsNsec, origLen: data.length, interfaceId: 0 };
}
