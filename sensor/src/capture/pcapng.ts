/**
 * pcapng blocks: each block is type(4) total_length(4) body total_length(4). A Section Header
 * Block (SHB) starts each section and fixes its byte order through the 0x1A2B3C4D byte-order
 * magic, so one file may hold big- and little-endian sections. Interface Description Blocks
 * (IDB) are numbered per section and carry the link type and the timestamp resolution
 * (if_tsresol, default microseconds) and offset (if_tsoffset). Packets come from Enhanced (EPB),
 * Simple (SPB) and the obsolete Packet Block; every other block type is skipped and counted.
 *
 * Limits: a packet block larger than PCAPNG_MAX_BLOCK_BYTES is skipped without being buffered;
 * structural lies (a length under 12, not a multiple of 4, a trailer that disagrees with the
 * header) stop the stream with a CaptureFormatError, because nothing after them can be trusted.
 */
import { readU16, readU32 } from './byteOrder.ts';
import { CaptureFormatError } from './capturedPacket.ts';
import type { CapturedPacket, CaptureStats } from './capturedPacket.ts';
import { PCAP_MAX_CAPLEN } from './pcap.ts';

/** Largest block we buffer: the largest packet plus generous room for options. */
export const PCAPNG_MAX_BLOCK_BYTES = PCAP_MAX_CAPLEN + 65_536;
/** Interfaces per section; a real capture has a handful, a hostile one could declare millions. */
export const PCAPNG_MAX_INTERFACES = 4096;

export const PCAPNG_SHB_TYPE = 0x0a0d0d0a;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const IDB_TYPE = 1;
const OBSOLETE_PACKET_TYPE = 2;
const SPB_TYPE = 3;
const EPB_TYPE = 6;

const OPT_END = 0;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;

interface Interface {
  linkType: number;
  snaplen: number;
  /** Timestamp units per second (10^n or 2^n). */
  unitsPerSec: number;
  unitsBig: bigint;
  /** Multiplier from a remainder in units to nanoseconds when exact, else 0 (use BigInt). */
  nsecPerUnit: number;
  offsetSec: number;
}

function makeInterface(linkType: number, snaplen: number, tsresol: number, offsetSec: number): Interface {
  const pow2 = (tsresol & 0x80) !== 0;
  const exp = tsresol & 0x7f;
  const unitsBig = pow2 ? 1n << BigInt(exp) : 10n ** BigInt(exp);
  const unitsPerSec = Number(unitsBig);
  const nsecPerUnit = !pow2 && exp <= 9 ? 10 ** (9 - exp) : 0;
  return { linkType, snaplen, unitsPerSec, unitsBig, nsecPerUnit, offsetSec };
}

export class PcapngBlockParser {
  private littleEndian = true;
  private interfaces: Interface[] = [];
  /** Bytes still to discard of a block we decided not to buffer. */
  private skipRemaining = 0;
  private tsSec = 0;
  private tsNsec = 0;

  constructor(private readonly stats: CaptureStats) {}

  step(buf: Uint8Array, off: number, end: number, streamOffset: number, emit: (p: CapturedPacket) => void): number {
    const avail = end - off;
    if (this.skipRemaining > 0) {
      const n = Math.min(this.skipRemaining, avail);
      this.skipRemaining -= n;
      return n;
    }
    if (avail < 8) return -8;
    // The SHB type reads the same in both byte orders; its length can only be read after the BOM.
    const type0 = readU32(buf, off, true);
    if (type0 === PCAPNG_SHB_TYPE) {
      if (avail < 12) return -12;
      const bom = readU32(buf, off + 8, true);
      if (bom === BYTE_ORDER_MAGIC) this.littleEndian = true;
      else if (bom === 0x4d3c2b1a) this.littleEndian = false;
      else throw new CaptureFormatError('pcapng', streamOffset, 'bad byte-order magic in section header');
      const len = this.blockLength(buf, off, streamOffset, 28);
      if (len > PCAPNG_MAX_BLOCK_BYTES) {
        throw new CaptureFormatError('pcapng', streamOffset, `section header block of ${len} bytes`);
      }
      if (avail < len) return -len;
      this.checkTrailer(buf, off, len, streamOffset);
      this.interfaces = [];
      this.stats.sections++;
      return len;
    }
    const le = this.littleEndian;
    const type = readU32(buf, off, le);
    const len = this.blockLength(buf, off, streamOffset, 12);
    const isPacket = type === EPB_TYPE || type === SPB_TYPE || type === OBSOLETE_PACKET_TYPE;
    if (type !== IDB_TYPE && !isPacket) {
      this.stats.skippedBlocks++;
      return this.skip(len, avail);
    }
    if (len > PCAPNG_MAX_BLOCK_BYTES) {
      if (type === IDB_TYPE) {
        throw new CaptureFormatError('pcapng', streamOffset, `interface description block of ${len} bytes`);
      }
      this.stats.skippedRecords++;
      return this.skip(len, avail);
    }
    if (avail < len) return -len;
    this.checkTrailer(buf, off, len, streamOffset);
    if (type === IDB_TYPE) {
      this.readInterface(buf, off, len, streamOffset);
      return len;
    }
    this.readPacket(type, buf, off, len, emit);
    return len;
  }

  private skip(len: number, avail: number): number {
    if (len <= avail) return len;
    this.skipRemaining = len - avail;
    return avail;
  }

  /** True when the stream may end here without being truncated. */
  atBoundary(): boolean {
    return this.skipRemaining === 0;
  }

  private blockLength(buf: Uint8Array, off: number, streamOffset: number, min: number): number {
    const len = readU32(buf, off + 4, this.littleEndian);
    if (len < min || len % 4 !== 0) {
      throw new CaptureFormatError('pcapng', streamOffset, `block length ${len} is invalid`);
    }
    return len;
  }

  private checkTrailer(buf: Uint8Array, off: number, len: number, streamOffset: number): void {
    const trailer = readU32(buf, off + len - 4, this.littleEndian);
    if (trailer !== len) {
      throw new CaptureFormatError('pcapng', streamOffset, `block length ${len} but trailer says ${trailer}`);
    }
  }

  private readInterface(buf: Uint8Array, off: number, len: number, streamOffset: number): void {
    const le = this.littleEndian;
    if (len < 20) throw new CaptureFormatError('pcapng', streamOffset, 'interface description block too short');
    if (this.interfaces.length >= PCAPNG_MAX_INTERFACES) {
      throw new CaptureFormatError('pcapng', streamOffset, `more than ${PCAPNG_MAX_INTERFACES} interfaces in a section`);
    }
    const linkType = readU16(buf, off + 8, le);
    const snaplen = readU32(buf, off + 12, le);
    let tsresol = 6;
    let offsetSec = 0;
    // Options: code(2) length(2) value padded to 4. A malformed option list ends the scan; the
    // interface keeps its defaults rather than being dropped, so packet numbering stays right.
    let o = off + 16;
    const optEnd = off + len - 4;
    while (o + 4 <= optEnd) {
      const code = readU16(buf, o, le);
      const olen = readU16(buf, o + 2, le);
      if (code === OPT_END) break;
      const v = o + 4;
      if (v + olen > optEnd) break;
      if (code === OPT_IF_TSRESOL && olen >= 1) tsresol = buf[v]!;
      else if (code === OPT_IF_TSOFFSET && olen >= 8) {
        const hi = le ? readU32(buf, v + 4, le) : readU32(buf, v, le);
        const lo = le ? readU32(buf, v, le) : readU32(buf, v + 4, le);
        offsetSec = (hi | 0) * 4294967296 + lo;
      }
      o = v + ((olen + 3) & ~3);
    }
    this.interfaces.push(makeInterface(linkType, snaplen, tsresol, offsetSec));
  }

  private readPacket(type: number, buf: Uint8Array, off: number, len: number, emit: (p: CapturedPacket) => void): void {
    const le = this.littleEndian;
    let ifId: number;
    let dataOff: number;
    let caplen: number;
    let origLen: number;
    if (type === SPB_TYPE) {
      if (len < 16) return this.malformed();
      ifId = 0;
      const iface = this.interfaces[0];
      if (iface === undefined) return this.malformed();
      origLen = readU32(buf, off + 8, le);
      dataOff = off + 12;
      caplen = Math.min(origLen, len - 16);
      if (iface.snaplen > 0) caplen = Math.min(caplen, iface.snaplen);
      this.tsSec = 0;
      this.tsNsec = 0;
    } else {
      if (len < 32) return this.malformed();
      const obsolete = type === OBSOLETE_PACKET_TYPE;
      ifId = obsolete ? readU16(buf, off + 8, le) : readU32(buf, off + 8, le);
      const iface = this.interfaces[ifId];
      if (iface === undefined) return this.malformed();
      caplen = readU32(buf, off + 20, le);
      origLen = readU32(buf, off + 24, le);
      dataOff = off + 28;
      if (caplen > len - 32 || caplen > PCAP_MAX_CAPLEN) return this.malformed();
      this.setTimestamp(readU32(buf, off + 12, le), readU32(buf, off + 16, le), iface);
    }
    const linkType = this.interfaces[ifId]!.linkType;
    this.stats.packets++;
    emit({
      linkType,
      tsSec: this.tsSec,
      tsNsec: this.tsNsec,
      data: buf.subarray(dataOff, dataOff + caplen),
      origLen,
      interfaceId: ifId,
    });
  }

  private malformed(): void {
    this.stats.skippedRecords++;
  }

  /** Converts a 64-bit count of interface units to seconds + nanoseconds without precision loss. */
  private setTimestamp(hi: number, lo: number, iface: Interface): void {
    // Below 2^53 the count is exact as a double; typical microsecond timestamps stay well below.
    if (hi < 0x20_0000 && iface.nsecPerUnit > 0) {
      const v = hi * 4294967296 + lo;
      const units = iface.unitsPerSec;
      let sec = Math.floor(v / units);
      let rem = v - sec * units;
      // The division is rounded to a double; near a second boundary it can land one off.
      if (rem < 0) {
        sec--;
        rem += units;
      } else if (rem >= units) {
        sec++;
        rem -= units;
      }
      this.tsSec = sec + iface.offsetSec;
      this.tsNsec = rem * iface.nsecPerUnit;
      return;
    }
    const v = (BigInt(hi) << 32n) | BigInt(lo);
    this.tsSec = Number(v / iface.unitsBig) + iface.offsetSec;
    this.tsNsec = Number(((v % iface.unitsBig) * 1_000_000_000n) / iface.unitsBig);
  }
}
