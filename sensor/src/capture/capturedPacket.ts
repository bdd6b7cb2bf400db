/**
 * What a capture reader hands to the decoders: one link-layer frame with its timestamp, plus the
 * typed errors a reader can raise.
 *
 * Timestamps are split into whole seconds and nanoseconds (0..999_999_999) so pcapng's 64-bit
 * timestamps at any resolution fit JavaScript numbers without losing precision and without a
 * BigInt per packet. Microsecond captures simply have tsNsec = usec * 1000.
 */

export interface CapturedPacket {
  /** LINKTYPE_* value from the pcap header or the pcapng interface description block. */
  linkType: number;
  tsSec: number;
  tsNsec: number;
  /** The captured bytes: a view into the chunk that was pushed (or a fresh buffer when a record
   *  straddled chunks). Never copied per packet, never reused by the reader. Holding it keeps
   *  that whole chunk alive, so code that keeps bytes for long (reassembly) should slice them. */
  data: Uint8Array;
  /** Length of the packet on the wire (may exceed data.length when the capture was snapped). */
  origLen: number;
  /** pcapng interface index within its section; 0 for classic pcap. */
  interfaceId: number;
}

export type CaptureFormat = 'pcap' | 'pcapng';

/** The first bytes match neither pcap nor pcapng magic. The message is stable: callers show it. */
export class NotACaptureError extends Error {
  override readonly name = 'NotACaptureError';
  constructor() {
    super('not a pcap or pcapng file');
  }
}

/** The file is a capture but its structure is broken beyond recovery (a block length that lies,
 *  a record larger than any real packet). Packets before `offset` were already delivered. */
export class CaptureFormatError extends Error {
  override readonly name = 'CaptureFormatError';
  constructor(
    readonly format: CaptureFormat,
    /** Byte offset in the stream of the record or block that could not be read. */
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`${format} file is corrupt at byte ${offset}: ${reason}`);
  }
}

/** Counters a reader keeps while it runs; read them after end(). */
export interface CaptureStats {
  format: CaptureFormat | null;
  packets: number;
  /** True when the stream ended in the middle of a header, record or block. */
  truncated: boolean;
  /** Bytes left over in the incomplete record at the end of the stream. */
  truncatedBytes: number;
  /** pcapng blocks skipped because their type is not one we read (NRB, ISB, DSB, custom...). */
  skippedBlocks: number;
  /** Records dropped because they were malformed but the stream could continue past them
   *  (pcapng packet blocks whose inner lengths lie, packets on an undeclared interface,
   *  packets larger than the caplen bound). */
  skippedRecords: number;
  /** Classic pcap records whose caplen exceeded the file's snaplen (still delivered). */
  caplenOverSnaplen: number;
  /** pcapng sections (SHBs) seen. */
  sections: number;
}
