/**
 * Classic libpcap file records: a 24-byte file header, then per packet a 16-byte record header
 * (ts_sec, ts_frac, caplen, origlen) and caplen bytes. The magic number gives both the byte order
 * and the timestamp unit (0xa1b2c3d4 microseconds, 0xa1b23c4d nanoseconds); the rarely seen
 * "modified" pcap (0xa1b2cd34) has 8 more bytes per record header and is read too.
 *
 * Classic pcap cannot resynchronise after a bad record, so a caplen beyond any real packet is a
 * CaptureFormatError rather than a skip.
 */
import { readU32 } from './byteOrder.ts';
import { CaptureFormatError } from './capturedPacket.ts';
import type { CapturedPacket, CaptureStats } from './capturedPacket.ts';

/** Largest caplen we accept: libpcap's own maximum snapshot length. Bounds memory per record. */
export const PCAP_MAX_CAPLEN = 262_144;
const FILE_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;
const MODIFIED_RECORD_HEADER_BYTES = 24;

/** Mask for the link-type bits of the header's network field (upper bits carry FCS info). */
const LINKTYPE_MASK = 0x03ff_ffff;

export type PcapMagic = 'usec' | 'nsec' | 'modified';

/** Recognises classic pcap magic in the first four bytes; null when it is not pcap. */
export function pcapMagic(b: Uint8Array, o: number): { littleEndian: boolean; kind: PcapMagic } | null {
  const be = readU32(b, o, false);
  const le = readU32(b, o, true);
  if (be === 0xa1b2c3d4) return { littleEndian: false, kind: 'usec' };
  if (le === 0xa1b2c3d4) return { littleEndian: true, kind: 'usec' };
  if (be === 0xa1b23c4d) return { littleEndian: false, kind: 'nsec' };
  if (le === 0xa1b23c4d) return { littleEndian: true, kind: 'nsec' };
  if (be === 0xa1b2cd34) return { littleEndian: false, kind: 'modified' };
  if (le === 0xa1b2cd34) return { littleEndian: true, kind: 'modified' };
  return null;
}

/**
 * Step parser for one classic pcap stream. step() reads at most one header or record from
 * buf[off, end) and returns the bytes consumed (> 0) or -n when n bytes from off are needed.
 */
export class PcapRecordParser {
  private headerRead = false;
  private littleEndian = true;
  private fracToNsec = 1000;
  private recordHeaderBytes = RECORD_HEADER_BYTES;
  private linkType = 0;
  private snaplen = 0;

  constructor(private readonly stats: CaptureStats) {}

  step(buf: Uint8Array, off: number, end: number, streamOffset: number, emit: (p: CapturedPacket) => void): number {
    const avail = end - off;
    if (!this.headerRead) {
      if (avail < FILE_HEADER_BYTES) return -FILE_HEADER_BYTES;
      const magic = pcapMagic(buf, off);
      if (magic === null) throw new CaptureFormatError('pcap', streamOffset, 'bad magic');
      this.littleEndian = magic.littleEndian;
      this.fracToNsec = magic.kind === 'nsec' ? 1 : 1000;
      this.recordHeaderBytes = magic.kind === 'modified' ? MODIFIED_RECORD_HEADER_BYTES : RECORD_HEADER_BYTES;
      this.snaplen = readU32(buf, off + 16, this.littleEndian);
      this.linkType = readU32(buf, off + 20, this.littleEndian) & LINKTYPE_MASK;
      this.headerRead = true;
      return FILE_HEADER_BYTES;
    }
    const hdr = this.recordHeaderBytes;
    if (avail < hdr) return -hdr;
    const le = this.littleEndian;
    const caplen = readU32(buf, off + 8, le);
    if (caplen > PCAP_MAX_CAPLEN) {
      throw new CaptureFormatError('pcap', streamOffset, `record caplen ${caplen} exceeds ${PCAP_MAX_CAPLEN}`);
    }
    const total = hdr + caplen;
    if (avail < total) return -total;
    if (this.snaplen > 0 && caplen > this.snaplen) this.stats.caplenOverSnaplen++;
    const frac = readU32(buf, off + 4, le) * this.fracToNsec;
    let tsSec = readU32(buf, off, le);
    let tsNsec = frac;
    // A hostile fraction field (>= 1 s) is carried into the seconds instead of producing nsec >= 1e9.
    if (frac >= 1e9) {
      tsSec += Math.floor(frac / 1e9);
      tsNsec = frac % 1e9;
    }
    this.stats.packets++;
    emit({
      linkType: this.linkType,
      tsSec,
      tsNsec,
      data: buf.subarray(off + hdr, off + total),
      origLen: readU32(buf, off + 12, le),
      interfaceId: 0,
    });
    return total;
  }

  /** True when the stream may end here without being truncated. */
  atBoundary(): boolean {
    return true;
  }
}
